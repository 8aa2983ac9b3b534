"""One module per format; each turns a decoded document into `EntryResult`s (`story.py`)."""
