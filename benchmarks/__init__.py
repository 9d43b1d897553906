"""Benchmarks of the trial bot against the plain Rasa starter bot, on this machine, in one run.

`python -m benchmarks` (or `make bench`) trains both bots, serves both the same way (REST channel,
SQL tracker store in SQLite) and compares turn latency, training time, start time and peak memory.
The machine is shared and noisy, so what the results mean are the ratios measured in one run.
"""
