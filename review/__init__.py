"""Transcript review for support teams: the conversations kept in the SQL tracker store, indexed
into review tables beside it, browsed in a web app behind a login and from the command line.

- ``store``    the review tables, the incremental indexer over Rasa's ``events`` table, the inbox
- ``transcript`` one conversation, turn by turn, from its events
- ``masking``  names, phone numbers, e-mail addresses, dates of birth and addresses hidden
- ``erasure``  "delete my answers" and retention: a conversation erased everywhere
- ``auth``     users, roles, password hashes and sessions
- ``app``      the web app (aiohttp, its own port);  ``cli``  ``trialbot review ...``
"""
