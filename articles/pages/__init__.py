"""Reader pages: the queries each page runs (`selectors`), and how a story, a list, an archive
and a page's metadata are put together from those rows."""
