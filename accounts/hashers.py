"""How passwords are stored."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended settings: 19 MiB of memory, 2 passes, 1 lane.

    Memory-hard, so guessing on graphics cards gains little, and a log-in costs the server about
    35 ms of one core, where PBKDF2 at Django's 1,000,000 iterations took 350–550 ms: 200
    trainees logging in at once would queue for seconds behind it. Django's own Argon2 defaults
    (100 MiB, 8 lanes) cost 300 ms on two cores. The algorithm name is Django's, so hashes made
    with other Argon2 settings still verify and are rehashed at the next log-in.
    """

    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1
