"""The newsroom's accountable record: each story's public history of changes with word diffs,
the site-wide corrections list, and the policy pages the newsroom publishes."""
