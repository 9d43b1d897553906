"""The application's top: the `trialbot` command (cli), its configuration (config) and the
processes it runs and watches (servers), above the engine (bot/), the Rasa actions and channels,
the website chat (web/) and transcript review (review/).

Only ``trialbot.config`` is read from below (every server process reads its settings); nothing
below imports the rest of this package (tests/unit/test_layers.py).
"""
