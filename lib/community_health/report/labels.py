"""How platforms and channels are named to a person: ``X``, ``Slack #help``, ``Discourse category 6``."""

from __future__ import annotations

import pandas as pd

from community_health.schema import Messages as M

#: Platforms whose channels are chat rooms, written ``Slack #help``.
CHAT_PLATFORMS = frozenset({"slack", "discord", "telegram", "whatsapp", "mastodon"})
PLATFORM_NAMES = {
    "x": "X",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "whatsapp": "WhatsApp",
    "tiktok": "TikTok",
    "web": "Web",
}
CHANNEL_KEY = [M.platform, M.channel]


def platform_name(platform: object) -> str:
    """``slack`` -> ``Slack``, ``x`` -> ``X``; a list, ``discord, slack`` -> ``Discord, Slack``."""
    return ", ".join(PLATFORM_NAMES.get(text, text.capitalize()) for text in str(platform).split(", "))


def channel_label(platform: object, channel: object) -> str:
    """How a channel is named to a person: ``Slack #help``, ``Discourse category 6``, ``Facebook · page``."""
    name = str(channel)
    if str(platform) in CHAT_PLATFORMS:
        return f"{platform_name(platform)} #{name.lstrip('#')}"
    if str(platform) == "discourse" and name.isdigit():
        return f"Discourse category {name}"
    return f"{platform_name(platform)} · {name}"


def channel_labels(frame: pd.DataFrame) -> pd.Series:
    """:func:`channel_label` of each row's ``platform`` and ``channel``."""
    return pd.Series(
        [channel_label(p, c) for p, c in zip(frame[M.platform], frame[M.channel], strict=True)],
        index=frame.index,
        dtype="str",
    )


def short_channel_label(platform: object, channel: object) -> str:
    """A channel's name where the platform is already said: ``#help``, ``category 6``, ``twitter.com``."""
    return channel_label(platform, channel).removeprefix(platform_name(platform)).strip(" ·")


def named_places(frame: pd.DataFrame, platform: str = M.platform, channel: str = M.channel) -> pd.DataFrame:
    """``frame`` with its ``platform`` column as platform names and its ``channel`` column (when there
    is one) as :func:`short_channel_label`, for tables a person reads."""
    if frame.empty:
        return frame
    out = {platform: [platform_name(p) for p in frame[platform]]}
    if channel in frame.columns:
        out[channel] = [
            short_channel_label(p, c) for p, c in zip(frame[platform], frame[channel], strict=True)
        ]
    return frame.assign(**out)
