"""Telling people what happened: the editors' inbox, e-mail, and signed webhooks.

- `events`: the triggers the editing services call (a reply, a mention, a review request, a
  note or a story published); each decides who is concerned and what goes out.
- `mentions`: which editors a note or reply names with `@username`.
- `inbox`: reading and marking the in-admin notifications.
- `webhooks`: what a webhook says, how it is signed, and its deliveries with their retries.
- `tasks`: the background work (e-mail, webhook attempts) the task queue runs.

Nothing here runs inside an editor's request but the writing of rows: e-mail and webhooks are
queued once the request's transaction commits and sent by the worker (`manage.py db_worker`).
"""
