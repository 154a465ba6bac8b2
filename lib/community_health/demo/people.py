"""Who talks in the demo community: brand staff, bots, the named superfans and generated members."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PLATFORMS = ("slack", "discord", "discourse")

# Brand staff per platform: (account id, handle, display name). The ids are those of client.yml.
STAFF: dict[str, list[tuple[str, str, str]]] = {
    "slack": [
        ("U0BB00001", "brightbrew", "Brightbrew Team"),
        ("U0BB00002", "lucia", "Lucía Romero"),
        ("U0BB00003", "tomas", "Tomás Vidal"),
    ],
    "discord": [
        ("700000000000000001", "brightbrew", "Brightbrew"),
        ("700000000000000002", "lucia_bb", "Lucía | Brightbrew"),
    ],
    "discourse": [
        ("1", "brightbrew_team", "Brightbrew Team"),
        ("2", "lucia_bb", "Lucía Romero"),
        ("3", "tomas_bb", "Tomás Vidal"),
    ],
}

# Bots: Slack bot_id and name; Discord bot id and name; Discourse system accounts (negative user ids).
SLACK_BOTS = [("B0BREWLOG1", "Brew Log"), ("B0ORDERS01", "Shop Orders")]
DISCORD_BOT = ("700000000000000099", "BrewBot")
DISCORD_DELETED = ("456226577798135808", "Deleted User")
DISCOURSE_BOTS = [("-1", "system", "system"), ("-2", "discobot", "discobot")]


@dataclass(frozen=True)
class Superfan:
    """One named advocate with an account on Slack, Discord and Discourse."""

    name: str
    slack: str
    discord: str
    discord_name: str
    discourse: str
    weight: float


SUPERFANS: tuple[Superfan, ...] = (
    Superfan("Ana Ruiz", "U0SF0A1R2U", "311000000000000101", "ana.brews", "ana_ruiz", 1.6),
    Superfan("Ben Carter", "U0SF0B2C3A", "311000000000000102", "bencarter", "bcarter", 1.4),
    Superfan("Carmen Ortega", "U0SF0C3O4R", "311000000000000103", "carmen_o", "carmen_ortega", 1.3),
    Superfan("Dev Patel", "U0SF0D4P5A", "311000000000000104", "devpours", "devpatel", 1.2),
    Superfan("Elena Sánchez", "U0SF0E5S6A", "311000000000000105", "elena.crema", "elena_sanchez", 1.2),
    Superfan("Felix Wagner", "U0SF0F6W7A", "311000000000000106", "felixgrinds", "fwagner", 1.1),
    Superfan("Grace Kim", "U0SF0G7K8I", "311000000000000107", "gracekim", "grace_kim", 1.0),
    Superfan("Hugo Martín", "U0SF0H8M9A", "311000000000000108", "hugo.v60", "hugo_martin", 1.0),
    Superfan("Irene Castro", "U0SF0I9C0A", "311000000000000109", "irene_c", "irenecastro", 0.9),
    Superfan("Jamal Reed", "U0SF0J0R1E", "311000000000000110", "jamalreed", "jamal_reed", 0.9),
    Superfan("Kenji Mori", "U0SF0K1M2O", "311000000000000111", "kenji.aeropress", "kenji_mori", 0.8),
    Superfan("Laura Gil", "U0SF0L2G3I", "311000000000000112", "lauragil", "laura_gil", 0.8),
    Superfan("Mateo Navarro", "U0SF0M3N4A", "311000000000000113", "mateo_nav", "mateo_navarro", 0.7),
)

FIRST_NAMES = [
    "Alex",
    "Alba",
    "Andrés",
    "Aitana",
    "Bea",
    "Bruno",
    "Carla",
    "Chris",
    "Clara",
    "Daniel",
    "Diego",
    "Emma",
    "Eric",
    "Eva",
    "Fran",
    "Gabi",
    "Helena",
    "Iker",
    "Isa",
    "Jack",
    "Javi",
    "Jon",
    "Julia",
    "Kate",
    "Leo",
    "Lola",
    "Lucas",
    "Marc",
    "Maria",
    "Marta",
    "Max",
    "Mia",
    "Nico",
    "Noa",
    "Oli",
    "Pablo",
    "Paula",
    "Pedro",
    "Quim",
    "Raquel",
    "Rosa",
    "Sam",
    "Sara",
    "Sergio",
    "Sofia",
    "Teo",
    "Tina",
    "Toni",
    "Vera",
    "Victor",
    "Zoe",
    "Adam",
    "Amy",
    "Owen",
    "Ruth",
    "Nora",
    "Liam",
]
LAST_NAMES = [
    "Alonso",
    "Baker",
    "Blanco",
    "Brown",
    "Campos",
    "Cruz",
    "Delgado",
    "Diaz",
    "Evans",
    "Fernandez",
    "Fischer",
    "Garcia",
    "Gomez",
    "Green",
    "Hall",
    "Herrera",
    "Hughes",
    "Iglesias",
    "Jones",
    "Lopez",
    "Lozano",
    "Marin",
    "Medina",
    "Molina",
    "Moreno",
    "Muñoz",
    "Nieto",
    "Ortiz",
    "Parker",
    "Pascual",
    "Perez",
    "Prieto",
    "Ramos",
    "Rios",
    "Rivera",
    "Roman",
    "Rubio",
    "Saez",
    "Santos",
    "Serrano",
    "Smith",
    "Soler",
    "Suarez",
    "Torres",
    "Vega",
    "Walker",
]
HANDLE_TAILS = ("", "", "_brews", ".coffee", "_espresso", ".bean", "_pourover", "brew", "_latte", "")
ID_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))


@dataclass(frozen=True)
class Accounts:
    """Generated member accounts of one platform (arrays aligned by account number)."""

    ids: np.ndarray
    handles: np.ndarray
    names: np.ndarray


def _base34(values: np.ndarray, width: int) -> np.ndarray:
    """Return fixed-width base-34 strings (digits and capitals without I and O) of non-negative ints."""
    digits = []
    v = np.asarray(values, dtype="int64").copy()
    for _ in range(width):
        digits.append(ID_ALPHABET[v % 34])
        v //= 34
    return np.array(["".join(chars) for chars in zip(*reversed(digits), strict=True)], dtype=object)


def member_accounts(platform: str, n: int, rng: np.random.Generator) -> Accounts:
    """Generate ``n`` member accounts of ``platform`` with unique ids, handles and display names."""
    first = np.asarray(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.asarray(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)]
    tail = np.asarray(HANDLE_TAILS, dtype=object)[rng.integers(0, len(HANDLE_TAILS), n)]
    number = np.arange(n, dtype="int64")
    # 6907 is coprime with 34**7, so scrambled numbers stay unique.
    scrambled = (number * 6907 + 1234567) % (34**7)
    names = np.array([f"{f} {ln}" for f, ln in zip(first, last, strict=True)], dtype=object)
    if platform == "slack":
        ids = np.array(["U0" + s for s in _base34(scrambled, 7)], dtype=object)
        handles = np.array(
            [f"{f.lower()}.{ln.lower()}{k % 97}" for f, ln, k in zip(first, last, number, strict=True)],
            dtype=object,
        )
    elif platform == "discord":
        jitter = rng.integers(0, 1_000_000, n)
        ids = (412000000000000000 + number * 1_000_003 * 7 + jitter).astype(str).astype(object)
        handles = np.array(
            [f"{f.lower()}{t}{k % 1000}" for f, t, k in zip(first, tail, number, strict=True)], dtype=object
        )
    else:
        ids = (number + 100).astype(str).astype(object)
        handles = np.array(
            [f"{f.lower()}_{ln[:3].lower()}{k}" for f, ln, k in zip(first, last, number, strict=True)],
            dtype=object,
        )
    handles = np.array(
        [h.replace("ñ", "n").replace("é", "e").replace("á", "a") for h in handles], dtype=object
    )
    return Accounts(ids=ids, handles=handles, names=names)


def superfan_ids(platform: str) -> list[str]:
    """Return the superfans' account ids on ``platform`` (Discourse: usernames)."""
    if platform == "slack":
        return [s.slack for s in SUPERFANS]
    if platform == "discord":
        return [s.discord for s in SUPERFANS]
    return [s.discourse for s in SUPERFANS]
