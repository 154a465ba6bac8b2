"""Community readers against quirks of whole real exports read end to end: Dutch iOS transcripts (their
encryption notice and ``afbeelding weggelaten``), German iOS group notices (a group created, its picture
changed) and documents shown with their file name before ``Dokument weggelassen``."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.ingest import ReadContext, ReadResult
from community_health.ingest.whatsapp_txt import (
    SKIP_DELETED,
    SKIP_ENCRYPTION,
    SKIP_MEMBERSHIP,
    SKIP_SETTINGS,
    message_body,
    parse_whatsapp_txt,
    system_reason,
)
from community_health.schema import Messages
from test_ingest_conversation_readers import FIXTURES, assert_balanced
from test_ingest_real_community import detected

M = Messages
LRM = "\u200e"


def read(relpath: str, timezone: str, data: bytes | None = None) -> ReadResult:
    data = (FIXTURES / relpath).read_bytes() if data is None else data
    return parse_whatsapp_txt(data, ReadContext(f"exports/{relpath}", timezone, {}))


# --------------------------------------------------------------------------------------------------
# WhatsApp, Dutch iOS

NL = "whatsapp/whatsapp_ios_nl_afbeelding_weggelaten_versleuteld_notice.txt"


def test_whatsapp_ios_dutch_encryption_notice_image_and_deletion_are_not_members_words():
    assert detected(NL) == "whatsapp_txt"
    result = read(NL, "Europe/Amsterdam")
    assert_balanced(result)
    assert result.rows_read == 7
    assert result.skipped == {SKIP_ENCRYPTION: 1, SKIP_DELETED: 1}
    frame = result.frame
    assert len(frame) == 5
    # The notice names the contact: with no chat name in the file's name, the chat is named after it.
    assert set(frame[M.channel]) == {"Sanne de Vries"}
    assert not frame[M.text].fillna("").str.contains("versleuteld|weggelaten").any()
    image = frame[frame[M.source_row] == 4].iloc[0]
    assert image[M.author_name] == "Joost" and pd.isna(image[M.text])
    # 13-01-2024 reads one way only: day first, local Amsterdam time (UTC+1 in January).
    assert frame[M.created_at].min() == pd.Timestamp("2024-01-13 17:47:25", tz="UTC")
    assert frame[M.created_at].max() == pd.Timestamp("2024-04-02 20:30:00", tz="UTC")
    long = frame[frame[M.source_row] == 6].iloc[0]
    assert long[M.text].startswith("De kaartlezer geeft een fout:\n\n--------\n\n")
    assert long[M.text].endswith("\tbij terminal 3")


def test_whatsapp_ios_dutch_encryption_notice_without_its_marks_is_still_the_notice():
    data = (FIXTURES / NL).read_bytes().decode("utf-8").replace(LRM, "").encode("utf-8")
    result = read(NL, "Europe/Amsterdam", data)
    assert_balanced(result)
    assert result.skipped.get(SKIP_ENCRYPTION) == 1
    assert not result.frame[M.text].fillna("").str.contains("versleuteld").any()


# --------------------------------------------------------------------------------------------------
# WhatsApp, German iOS group

DE = "whatsapp/whatsapp_ios_de_group_created_icon_changed_named_document.txt"


def test_whatsapp_ios_german_group_creation_and_new_picture_are_notices_not_messages():
    assert detected(DE) == "whatsapp_txt"
    result = read(DE, "Europe/Vienna")
    assert_balanced(result)
    assert result.rows_read == 12
    assert result.skipped == {SKIP_ENCRYPTION: 1, SKIP_SETTINGS: 2, SKIP_MEMBERSHIP: 3, SKIP_DELETED: 1}
    frame = result.frame
    assert list(frame[M.source_row]) == [5, 6, 8, 9, 12]
    assert set(frame[M.channel]) == {"Brightbrew Stammgäste"}
    assert not frame[M.text].fillna("").str.contains("erstellt|Gruppenbild|weggelassen").any()
    # Vienna summer time (UTC+2); a line out of time order keeps the time written on it.
    assert list(frame[M.created_at].dt.strftime("%d %H:%M:%S")) == [
        "27 11:09:05",
        "27 13:33:27",
        "27 13:35:35",
        "27 18:54:32",
        "28 15:31:38",
    ]


def test_whatsapp_ios_german_document_with_its_file_name_leaves_no_text():
    result = read(DE, "Europe/Vienna")
    document = result.frame[result.frame[M.source_row] == 9].iloc[0]
    assert document[M.author_name] == "Lena"
    assert pd.isna(document[M.text])


@pytest.mark.parametrize(
    "line",
    [
        "Herbstkarte 2023.pdf • 2 Seiten Dokument weggelassen",
        "Speisekarte.pdf • 1 pagina document weggelaten",
        "afbeelding weggelaten",
        "video weggelaten",
        "Carta otoño.pdf • 2 páginas documento omitido",
        "<Medya dahil edilmedi>",
        "<Media tidak disertakan>",
        "IMG-20240113-WA0001.jpg (fichier joint)",
    ],
)
def test_whatsapp_media_placeholders_of_more_locales_leave_no_text(line):
    assert message_body(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "Ein Dokument weggelassen? Nein, ich habe es geschickt",
        "de foto is weggelaten uit de nieuwsbrief, jammer",
    ],
)
def test_whatsapp_words_about_media_in_a_sentence_stay(line):
    assert message_body(line) == line


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Lena hat die Gruppe „Brightbrew Stammgäste“ erstellt.", SKIP_SETTINGS),
        ("~ Jonas hat das Gruppenbild geändert.", SKIP_SETTINGS),
        ("Sanne heeft de groep 'Brightbrew' aangemaakt", SKIP_SETTINGS),
        ("Sanne heeft Joost toegevoegd", SKIP_MEMBERSHIP),
        ("Ana criou o grupo “Brightbrew”", SKIP_SETTINGS),
        ("Berichten en gesprekken worden end-to-end versleuteld.", SKIP_ENCRYPTION),
        ("Mesajlar ve aramalar uçtan uca şifrelidir.", SKIP_ENCRYPTION),
        ("Pesan dan panggilan terenkripsi secara end-to-end.", SKIP_ENCRYPTION),
    ],
)
def test_whatsapp_system_notices_of_more_locales(text, reason):
    assert system_reason(text) == reason


def test_whatsapp_android_french_dates_with_a_before_the_time_start_messages():
    """French Android exports write ``12/03/2019 à 14:05 - Name: text``: every such line starts a message,
    day first, and a line without a date continues the one above."""
    relpath = "whatsapp/whatsapp_android_fr_a_before_time.txt"
    assert detected(relpath) == "whatsapp_txt"
    result = read(relpath, "Europe/Paris")
    assert_balanced(result)
    frame = result.frame.reset_index(drop=True)
    assert result.rows_read == 5 and len(frame) == 4 and result.skipped_total == 1  # the encryption notice
    assert frame[Messages.author_name].tolist() == ["Claire Dubois", "Marc", "Claire Dubois", "Marc"]
    assert frame[Messages.created_at].iloc[0] == pd.Timestamp("2019-03-12 13:05", tz="UTC")  # 14:05 in Paris
    assert (
        frame[Messages.text].iloc[1]
        == "Super, je viens avec deux amis\nsuite du message sur une deuxième ligne"
    )
    assert pd.isna(frame[Messages.text].iloc[2])  # <Médias omis>: a photo, no words
