"""The importer's background work, run by the task queue's worker (`manage.py db_worker`): the
Import page's jobs, the checks of followed sources, and the copies of lead images given by
address.

Tasks take ids: they run later, in another process, on committed rows. A job's task that fails
marks its job failed (`jobs.fail_job`) and re-raises, so the worker logs the traceback.
"""

from django_tasks import task

from articles.ingest import images, jobs, sources


@task()
def read_import_sources(*, job_id: int) -> bool:
    """Fetch and read a queued job's sources and store what was read (see `jobs`)."""
    return jobs.read_import_job(job_id=job_id)


@task()
def import_job_stories(*, job_id: int) -> bool:
    """Save the stories a job previewed, once the editor has asked for it."""
    return jobs.import_job_entries(job_id=job_id)


@task()
def copy_lead_image(*, story_id: int, attempt: int = 1) -> str:
    """Keep the newsroom's copy of the story's image by address (see `images`); returns what
    was done ("copied", "failed: why", or why there was nothing to do). A failure that may pass
    queues the next attempt itself."""
    return str(images.keep_lead_image_copy(story_id=story_id, attempt=attempt))


@task()
def check_followed_source(*, source_id: int, due: str) -> str:
    """Check a followed source for the moment `due` and import what it finds (see `sources`)."""
    return sources.check_source(source_id=source_id, due=due)
