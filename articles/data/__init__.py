"""Stories in and out: the plain-text importer, backups and restores, and the synthetic corpus
for benchmarks."""
