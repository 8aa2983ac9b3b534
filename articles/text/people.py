"""How staff screens name a person: the annotate screen, history and edit conflicts."""

# A note's author, a reply's or a revision's user is set to null when their account goes.
NO_LONGER_HERE = "someone no longer here"


def display_name(user) -> str:
    """The user's full name, else their username; `NO_LONGER_HERE` for a deleted account."""
    if user is None:
        return NO_LONGER_HERE
    return user.get_full_name() or user.get_username()
