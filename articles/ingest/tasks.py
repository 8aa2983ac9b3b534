"""The Import page's background work, run by the task queue's worker (`manage.py db_worker`).

Tasks take a job's id: they run later, in another process, on the committed row. A task that
fails marks its job failed (`jobs.fail_job`) and re-raises, so the worker logs the traceback.
"""

from django_tasks import task

from articles.ingest import jobs


@task()
def read_import_sources(*, job_id: int) -> bool:
    """Fetch and read a queued job's sources and store what was read (see `jobs`)."""
    return jobs.read_import_job(job_id=job_id)


@task()
def import_job_stories(*, job_id: int) -> bool:
    """Save the stories a job previewed, once the editor has asked for it."""
    return jobs.import_job_entries(job_id=job_id)
