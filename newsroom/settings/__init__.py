"""Settings package: ``base`` holds everything, ``local``/``production``/``test`` adjust it."""
