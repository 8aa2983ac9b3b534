"""Which editors a note or reply names: `@username`, as Django's usernames are spelt.

A name is looked up case-insensitively among active staff (only they have an inbox), so
"@Alice" reaches alice; an address such as bob@example.com mentions nobody. A trailing full
stop ends the sentence, not the name ("thanks @alice."). At most `MAX_MENTIONS` names a text
are looked up, so a pasted list of a thousand handles costs one bounded query.
"""

import re

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

# Django's username characters: letters, digits and @ . + - _; an @ preceded by a word character
# or another @ is inside an address or a name, not the start of a mention.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")
MAX_MENTIONS = 20


def mentioned_names(text: str) -> set[str]:
    """The lower-cased names `text` mentions (a name with its trailing full stops, and without)."""
    names: set[str] = set()
    for match in MENTION.finditer(text or ""):
        name = match.group(1).lower()
        names.update({name, name.rstrip(".")} - {""})
        if len(names) >= 2 * MAX_MENTIONS:
            break
    return names


def mentioned_users(text: str):
    """The active staff users `text` mentions, as a queryset."""
    names = mentioned_names(text)
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    if not names:
        return users.none()
    return users.alias(lower_username=Lower("username")).filter(lower_username__in=names)
