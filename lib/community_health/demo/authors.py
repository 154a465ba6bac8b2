"""Who wrote each demo message: superfans, regular members who join over the year, transients, staff.

Superfans take a fixed share of member slots (so that, with the one-off transients and the listening
mentions, they write about half of all member-side messages). Regular members appear one after another:
each member slot, in time order, is either a newcomer's first message or a returning member's, drawn by a
heavy-tailed weight among the members already seen on that platform. A reply never comes from the member
who started the thread, except the starter's own "thanks".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.demo.people import SUPERFANS

STAFF_WEIGHTS = {"slack": (0.3, 0.4, 0.3), "discord": (0.45, 0.55), "discourse": (0.3, 0.4, 0.3)}
N_SF = len(SUPERFANS)


def _choose(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights)
    return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(weights) - 1)


def assign_authors(
    msgs: pd.DataFrame, target_members: int, member_side_total: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, dict[str, int], dict[str, int]]:
    """Return (role, group, account) columns and the number of regular and transient accounts per platform.

    ``msgs`` is sorted by (thread, time); ``member_side_total`` counts the listening mentions too.
    """
    n = len(msgs)
    slot = msgs["slot"].to_numpy()
    kind = msgs["kind"].to_numpy()
    platform = msgs["platform"].to_numpy()
    t = msgs["t"].to_numpy()
    thread = msgs["thread"].to_numpy()
    starter_row = np.searchsorted(thread, thread)

    brand = (slot == "answer") | ((slot == "starter") & (kind == "brand"))
    role = np.where(brand, "brand", "member").astype(object)
    group = np.full(n, "regular", dtype=object)
    account = np.zeros(n, dtype="int64")
    group[brand] = "staff"
    transient = (slot == "starter") & (kind == "transient")
    group[transient] = "transient"
    thanks = slot == "thanks"
    free = ~brand & ~transient & ~thanks

    member_total = int((~brand).sum())
    p_sf = min(0.9, 0.5 * member_side_total / max(1, int(free.sum()) + int(thanks.sum())))
    superfan = free & (rng.random(n) < p_sf)
    group[superfan] = "superfan"
    affinity = rng.uniform(0.6, 1.4, (N_SF, 3))
    sf_weight = np.array([s.weight for s in SUPERFANS])
    u = rng.random(n)
    for j, p in enumerate(("slack", "discord", "discourse")):
        sel = superfan & (platform == p)
        account[sel] = _choose(sf_weight * affinity[:, j], u[sel])
        staff_sel = brand & (platform == p)
        w = np.asarray(STAFF_WEIGHTS[p])
        account[staff_sel] = _choose(w, u[staff_sel])
        posts = staff_sel & (slot == "starter")
        account[posts] = np.where(u[posts] < 0.7, 0, account[posts])

    regulars: dict[str, int] = {}
    transients: dict[str, int] = {}
    regular = free & ~superfan
    total_regular = max(1, int(regular.sum()))
    for p in ("slack", "discord", "discourse"):
        tsel = np.flatnonzero(transient & (platform == p))
        account[tsel] = np.arange(len(tsel))
        transients[p] = len(tsel)
        sel = np.flatnonzero(regular & (platform == p))
        if sel.size == 0:
            regulars[p] = 0
            continue
        sel = sel[np.argsort(t[sel], kind="stable")]
        m = len(sel)
        q = min(1.0, max(target_members, 1) * m / total_regular / m)
        new = rng.random(m) < q
        new[0] = True
        before = np.cumsum(new) - new
        n_new = int(new.sum())
        weight = rng.lognormal(0.0, 1.3, n_new)
        cum = np.cumsum(weight)
        k = np.maximum(before, 1)
        idx = np.minimum(np.searchsorted(cum, rng.random(m) * cum[k - 1], side="right"), k - 1)
        idx[new] = before[new]
        account[sel] = idx
        # A member does not reply to their own thread (but for the thanks, which are not in ``sel``).
        for _ in range(4):
            starter = starter_row[sel]
            clash = (
                (~new) & (slot[sel] != "starter") & (group[starter] == "regular") & (account[starter] == idx)
            )
            clash &= k > 1
            if not clash.any():
                break
            redraw = np.searchsorted(cum, rng.random(int(clash.sum())) * cum[k[clash] - 1], side="right")
            idx[clash] = np.minimum(redraw, k[clash] - 1)
            account[sel] = idx
        regulars[p] = n_new

    starter = starter_row
    clash = superfan & (slot != "starter") & (group[starter] == "superfan") & (account[starter] == account)
    account[clash] = (account[clash] + 1 + rng.integers(0, N_SF - 1, int(clash.sum()))) % N_SF
    group[thanks] = group[starter_row[thanks]]
    account[thanks] = account[starter_row[thanks]]
    assert member_total == int((role == "member").sum())
    return role, group, account, regulars, transients
