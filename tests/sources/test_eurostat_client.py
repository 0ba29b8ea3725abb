"""The Eurostat client against a real local HTTP server that replays recorded answers."""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
import zlib
from pathlib import Path

import pytest
from support.national_data import (
    ai_body,
    dii_and_ai_catalogue,
    dii_body,
    indicator,
    national_settings,
)
from support.replay_server import (
    Fault,
    ReplayServer,
    compressed,
    deeply_nested,
    fixture_bytes,
    gzip_bomb,
)

from dih_dash.domain.catalogue import Catalogue
from dih_dash.sources.eurostat_client import (
    EurostatClient,
    EurostatError,
    EurostatHTTPError,
    EurostatOfflineError,
    EurostatResponseError,
    EurostatTimeoutError,
    catalogue_filters,
    dataset_url,
)

COMPRESSIONS = ["gzip", "deflate", "deflate-raw"]

FILTERS = {"indic_is": ["E_DI4_HI", "E_DI4_VHI"], "size_emp": ["GE10"], "unit": ["PC_ENT"]}


class Sleeps(list[float]):
    """Stands in for time.sleep: records each wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(base_url: str, sleeps: Sleeps, *, retries: int = 2, timeout: float = 2.0,
               notices: list[str] | None = None) -> EurostatClient:  # fmt: skip
    return EurostatClient(
        base_url,
        timeout=timeout,
        retries=retries,
        backoff=0.5,
        sleep=sleeps,
        on_retry=None if notices is None else notices.append,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- URLs ------------------------------------------------------------------------------------


def test_dataset_url_has_format_lang_and_repeated_filters() -> None:
    url = dataset_url("https://example.test/eurostat/api/dissemination/", "isoc_e_dii", FILTERS)
    assert url == (
        "https://example.test/eurostat/api/dissemination/statistics/1.0/data/isoc_e_dii"
        "?format=JSON&lang=EN&indic_is=E_DI4_HI&indic_is=E_DI4_VHI&size_emp=GE10&unit=PC_ENT"
    )


def test_catalogue_filters_take_the_union_of_values_per_dataset() -> None:
    catalogue = dii_and_ai_catalogue()
    assert catalogue_filters(catalogue, "isoc_e_dii") == FILTERS
    assert catalogue_filters(catalogue, "isoc_eb_ai") == {
        "indic_is": ["E_AI_TANY"],
        "size_emp": ["GE10"],
        "unit": ["PC_ENT"],
    }
    assert catalogue_filters(catalogue, "desi2026") == {}


def test_a_dimension_left_open_by_one_series_is_not_filtered() -> None:
    catalogue = Catalogue(
        [
            indicator("a", "eurostat:isoc_e_dii", indic_is="E_DI4_HI", size_emp="GE10"),
            indicator("b", "eurostat:isoc_e_dii", indic_is="E_DI4_VHI"),
        ]
    )
    assert catalogue_filters(catalogue, "isoc_e_dii") == {"indic_is": ["E_DI4_HI", "E_DI4_VHI"]}


# --- healthy answers ---------------------------------------------------------------------------


def test_fetch_returns_the_parsed_body_and_sends_the_filters(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    sleeps = Sleeps()

    fetched = client_for(replay_server.base_url, sleeps).fetch("isoc_e_dii", FILTERS)

    assert fetched.payload["label"] == "Digital Intensity by size class of enterprise"
    assert fetched.attempts == 1
    assert fetched.body_bytes == 6273
    assert fetched.body_sha256.startswith("bfd86ae2215ac47a")
    assert fetched.url.startswith(replay_server.base_url + "/statistics/1.0/data/isoc_e_dii?")
    [request] = replay_server.requests_for("isoc_e_dii")
    assert request.path == "/eurostat/api/dissemination/statistics/1.0/data/isoc_e_dii"
    assert request.values("format") == ["JSON"]
    assert request.values("lang") == ["EN"]
    assert request.values("indic_is") == ["E_DI4_HI", "E_DI4_VHI"]
    assert request.values("size_emp") == ["GE10"]
    assert request.values("unit") == ["PC_ENT"]
    assert sleeps == []


def test_429_with_retry_after_then_ok_succeeds_after_waiting(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.then("isoc_e_dii", Fault.http(429, b"Too Many Requests", retry_after="7"))
    sleeps, notices = Sleeps(), []

    fetched = client_for(replay_server.base_url, sleeps, notices=notices).fetch("isoc_e_dii")

    assert fetched.attempts == 2
    assert len(replay_server.requests_for("isoc_e_dii")) == 2
    assert sleeps == [7.0]
    assert notices == ["isoc_e_dii: Eurostat answered HTTP 429; retrying in 7.0 s (attempt 2 of 3)"]


def test_huge_retry_after_is_capped(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.then("isoc_e_dii", Fault.http(503, retry_after="86400"))
    sleeps = Sleeps()

    client_for(replay_server.base_url, sleeps).fetch("isoc_e_dii")

    assert sleeps == [60.0]


def test_a_dropped_connection_is_retried(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.then("isoc_e_dii", Fault.drop(), Fault.http(502))
    sleeps = Sleeps()

    fetched = client_for(replay_server.base_url, sleeps).fetch("isoc_e_dii")

    assert fetched.attempts == 3
    assert len(replay_server.requests_for("isoc_e_dii")) == 3
    assert sleeps == [0.5, 1.0]  # exponential back-off: backoff x 2^(attempt-1)


# --- failures ----------------------------------------------------------------------------------


def test_500_is_retried_until_the_retries_are_exhausted(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.http(500, b"<html>oops</html>"))
    sleeps = Sleeps()

    with pytest.raises(EurostatHTTPError) as caught:
        client_for(replay_server.base_url, sleeps, retries=3).fetch("isoc_e_dii")

    assert caught.value.status == 500
    assert str(caught.value) == "isoc_e_dii: Eurostat answered HTTP 500 (after 4 tries)"
    assert len(replay_server.requests_for("isoc_e_dii")) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_400_is_not_retried_and_shows_eurostat_s_label(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    error = fixture_bytes("error400_invalid_dimension_param.json")
    replay_server.always("isoc_e_dii", Fault.http(400, error))
    sleeps = Sleeps()

    with pytest.raises(EurostatHTTPError) as caught:
        client_for(replay_server.base_url, sleeps).fetch("isoc_e_dii")

    assert len(replay_server.requests_for("isoc_e_dii")) == 1
    assert sleeps == []
    assert caught.value.status == 400
    assert "HTTP 400" in str(caught.value)
    assert "GEOX is not a valid dimension for the dataset ISOC_CI_CM_H" in str(caught.value)
    assert caught.value.eurostat_label is not None
    assert caught.value.eurostat_label.startswith("INVALID_URL_PARAMETER_DIMENSION")


def test_unknown_dataset_404_is_not_retried(replay_server: ReplayServer) -> None:
    with pytest.raises(EurostatHTTPError, match="HTTP 404"):
        client_for(replay_server.base_url, Sleeps()).fetch("no_such_dataset")
    assert len(replay_server.requests) == 1


def test_a_slow_server_times_out_on_every_try(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.slow(5.0))
    sleeps = Sleeps()

    with pytest.raises(
        EurostatTimeoutError, match=r"did not answer within 0\.3 s \(after 2 tries\)"
    ):
        client_for(replay_server.base_url, sleeps, retries=1, timeout=0.3).fetch("isoc_e_dii")

    assert len(replay_server.requests_for("isoc_e_dii")) == 2
    assert sleeps == [0.5]


def test_a_truncated_body_is_an_error_not_a_crash(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.truncated())

    with pytest.raises(EurostatResponseError, match=r"not valid JSON \(3136 bytes"):
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")


def test_an_error_body_with_status_200_is_refused(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", fixture_bytes("error400_invalid_dimension_value.json"))

    with pytest.raises(EurostatHTTPError, match="GEO=EUROVISION"):
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")


def test_connections_dropped_every_time_are_reported(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.drop())

    with pytest.raises(EurostatError, match=r"connection to 127\.0\.0\.1:[0-9]+ was dropped"):
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")
    assert len(replay_server.requests_for("isoc_e_dii")) == 3


def test_a_closed_port_reads_as_offline() -> None:
    port = closed_port()
    sleeps = Sleeps()
    client = client_for(f"http://127.0.0.1:{port}/eurostat/api/dissemination", sleeps)

    with pytest.raises(EurostatOfflineError) as caught:
        client.fetch("isoc_e_dii")

    message = str(caught.value)
    assert message == (
        f"isoc_e_dii: cannot reach 127.0.0.1:{port}: the machine seems offline, "
        "or the host is unreachable (after 3 tries)"
    )
    assert "\n" not in message
    assert sleeps == [0.5, 1.0]


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout"):
        EurostatClient("http://127.0.0.1:1", timeout=0)


# --- an overall deadline and a size cap ----------------------------------------------------------


def test_the_deadline_follows_the_timeout_unless_given() -> None:
    assert EurostatClient("http://127.0.0.1:1", timeout=30).deadline == 120.0
    assert EurostatClient("http://127.0.0.1:1", timeout=30, deadline=5).deadline == 5.0
    with pytest.raises(ValueError, match="deadline"):
        EurostatClient("http://127.0.0.1:1", deadline=0)
    with pytest.raises(ValueError, match="max_body_bytes"):
        EurostatClient("http://127.0.0.1:1", max_body_bytes=0)


def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline_and_retried(
    replay_server: ReplayServer,
) -> None:
    # A byte every 20 ms: every socket read is far within the 1 s read timeout, yet the
    # whole 6 KB body would take two minutes. Only the overall deadline can stop it.
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.drip(0.02))
    sleeps = Sleeps()
    client = EurostatClient(
        replay_server.base_url, timeout=1.0, retries=1, backoff=0.5, sleep=sleeps, deadline=0.5
    )
    started = time.monotonic()

    with pytest.raises(EurostatTimeoutError) as caught:
        client.fetch("isoc_e_dii")

    elapsed = time.monotonic() - started
    assert str(caught.value) == (
        f"isoc_e_dii: 127.0.0.1:{replay_server.port} did not send the whole answer "
        "within 0.5 s (after 2 tries)"
    )
    assert len(replay_server.requests_for("isoc_e_dii")) == 2  # a timeout is retried
    assert sleeps == [0.5]
    assert elapsed < 10  # two tries of 0.5 s, where the whole drip would take minutes


def test_a_read_blocked_at_the_deadline_ends_there_not_a_timeout_later(
    replay_server: ReplayServer,
) -> None:
    # One byte, then silence for 2.5 s: the read waiting for the next byte must give up at
    # the 0.3 s deadline, although the 3 s read timeout has not passed.
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.drip(2.5))
    client = EurostatClient(replay_server.base_url, timeout=3.0, retries=0, deadline=0.3)
    started = time.monotonic()

    with pytest.raises(EurostatTimeoutError, match=r"whole answer within 0\.3 s \(after 1 try\)"):
        client.fetch("isoc_e_dii")

    assert time.monotonic() - started < 2.0


def test_a_dripping_answer_that_completes_within_the_deadline_is_read(
    replay_server: ReplayServer,
) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.then("isoc_e_dii", Fault.drip(0.0, declare_length=False))

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert fetched.body_bytes == 6273
    assert fetched.attempts == 1


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "streamed"])
def test_a_body_over_the_cap_is_refused_without_a_retry(
    replay_server: ReplayServer, declare_length: bool
) -> None:
    replay_server.serve("isoc_e_dii", dii_body())  # 6,273 bytes
    replay_server.always("isoc_e_dii", Fault.drip(0.0, declare_length=declare_length))
    sleeps = Sleeps()
    client = EurostatClient(
        replay_server.base_url, timeout=2.0, retries=2, sleep=sleeps, max_body_bytes=1000
    )

    with pytest.raises(EurostatResponseError) as caught:
        client.fetch("isoc_e_dii")

    size = "6,273 bytes, more" if declare_length else "larger"
    assert str(caught.value) == (
        f"isoc_e_dii: the answer is {size} than the 1,000 bytes a dataset may take; refused"
    )
    assert len(replay_server.requests_for("isoc_e_dii")) == 1
    assert sleeps == []


def test_a_body_exactly_at_the_cap_is_read(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.then("isoc_e_dii", Fault.drip(0.0, declare_length=False))
    client = EurostatClient(replay_server.base_url, timeout=2.0, max_body_bytes=6273)

    assert client.fetch("isoc_e_dii").body_bytes == 6273


# --- compressed answers ------------------------------------------------------------------------


def test_the_client_advertises_only_the_encodings_it_decodes(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())

    client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    [request] = replay_server.requests_for("isoc_e_dii")
    assert request.header("Accept-Encoding") == "gzip, deflate"


@pytest.mark.parametrize("mode", COMPRESSIONS)
def test_a_compressed_answer_reads_exactly_like_the_plain_one(
    replay_server: ReplayServer, mode: str
) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    plain = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii", FILTERS)
    replay_server.compress(mode)

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii", FILTERS)

    assert fetched.payload == plain.payload == json.loads(dii_body())
    # The digest and size are the decoded body's: the same answer, however it travelled.
    assert fetched.body_sha256 == plain.body_sha256
    assert fetched.body_bytes == 6273
    assert fetched.attempts == 1


@pytest.mark.parametrize("mode", COMPRESSIONS)
def test_a_compressed_answer_dripped_a_byte_at_a_time_is_decoded(
    replay_server: ReplayServer, mode: str
) -> None:
    # One byte per socket read: the deflate wrapping is known only from the second byte.
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.compress(mode)
    replay_server.then("isoc_e_dii", Fault.drip(0.0, declare_length=False))

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert fetched.payload == json.loads(dii_body())


@pytest.mark.parametrize("mode", [None, *COMPRESSIONS])
def test_a_chunked_answer_is_read_plain_and_compressed(
    replay_server: ReplayServer, mode: str | None
) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.compress(mode)
    replay_server.then("isoc_e_dii", Fault.chunked())

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert fetched.payload == json.loads(dii_body())
    assert fetched.body_sha256.startswith("bfd86ae2215ac47a")


def test_a_compressed_error_page_still_shows_eurostat_s_label(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    error = fixture_bytes("error400_invalid_dimension_param.json")
    replay_server.always("isoc_e_dii", Fault.http(400, error))
    replay_server.compress("gzip")

    with pytest.raises(EurostatHTTPError, match="GEOX is not a valid dimension"):
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")


def test_gzip_members_one_after_another_are_one_body(replay_server: ReplayServer) -> None:
    body = dii_body()
    half = len(body) // 2
    members = gzip.compress(body[:half]) + gzip.compress(body[half:])
    replay_server.serve("isoc_e_dii", body)
    replay_server.then("isoc_e_dii", Fault.encoded(members, "gzip"))

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert fetched.payload == json.loads(body)


def test_codings_applied_one_over_the_other_are_undone_in_reverse(
    replay_server: ReplayServer,
) -> None:
    body = dii_body()
    twice = zlib.compress(gzip.compress(body))  # gzip first, then deflate
    replay_server.serve("isoc_e_dii", body)
    replay_server.then("isoc_e_dii", Fault.encoded(twice, "gzip, deflate"))

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert fetched.payload == json.loads(body)


@pytest.mark.parametrize("mode", ["gzip", "deflate"])
def test_a_compressed_bomb_is_refused_at_the_cap_on_the_decoded_bytes(
    replay_server: ReplayServer, mode: str
) -> None:
    # 50 MB of zeros in about 50 KB: the bytes on the wire are far under the 1 MB cap.
    bomb = gzip_bomb(50 * 1_048_576)
    if mode == "deflate":
        bomb = zlib.compress(gzip.decompress(bomb), 9)
    assert len(bomb) < 1_048_576 / 10
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.encoded(bomb, mode))
    sleeps = Sleeps()
    client = EurostatClient(
        replay_server.base_url, timeout=2.0, retries=2, sleep=sleeps, max_body_bytes=1_048_576
    )

    with pytest.raises(EurostatResponseError) as caught:
        client.fetch("isoc_e_dii")

    assert str(caught.value) == (
        f"isoc_e_dii: the answer ({mode}-compressed) unpacks to more than the 1 MB "
        "a dataset may take; refused"
    )
    assert len(replay_server.requests_for("isoc_e_dii")) == 1
    assert sleeps == []


def test_a_compressed_body_exactly_at_the_cap_is_read(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.compress("gzip")
    client = EurostatClient(replay_server.base_url, timeout=2.0, max_body_bytes=6273)

    assert client.fetch("isoc_e_dii").body_bytes == 6273

    with pytest.raises(EurostatResponseError, match="unpacks to more than the 6,272 bytes"):
        EurostatClient(replay_server.base_url, timeout=2.0, max_body_bytes=6272).fetch("isoc_e_dii")


@pytest.mark.parametrize(
    ("body", "encoding", "complaint"),
    [
        (b"\x1b\x00\x00", "br", "compressed as 'br', which was not asked for"),
        (compressed(dii_body(), "gzip")[:-20], "gzip", "the gzip-compressed answer is cut short"),
        (b"this is not gzip", "gzip", "the answer is not valid gzip data"),
        (compressed(dii_body(), "deflate") + b"more", "deflate", "followed by other bytes"),
        (dii_body(), "gzip, gzip, gzip, gzip", "encoded 4 times over"),
    ],
    ids=["unasked", "cut", "corrupt", "trailing", "stacked"],
)
def test_a_body_that_cannot_be_decoded_is_refused(
    replay_server: ReplayServer, body: bytes, encoding: str, complaint: str
) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.encoded(body, encoding))

    with pytest.raises(EurostatResponseError, match=complaint) as caught:
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert str(caught.value).endswith("; refused")
    assert len(replay_server.requests_for("isoc_e_dii")) == 1


def test_an_undecodable_error_page_still_reports_the_status(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.encoded(b"garbage", "br", status=503))
    sleeps = Sleeps()

    with pytest.raises(EurostatHTTPError, match=r"HTTP 503 \(after 3 tries\)$"):
        client_for(replay_server.base_url, sleeps).fetch("isoc_e_dii")
    assert sleeps == [0.5, 1.0]  # still a server error, still retried


# --- hostile bodies ------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_without_recursion(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", deeply_nested(100_000))

    with pytest.raises(EurostatResponseError) as caught:
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    # 100,000 arrays inside the outer object.
    assert "nests arrays or objects 100,001 levels deep, more than the 32" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_deeply_nested_error_page_still_reports_the_status(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always(
        "isoc_e_dii", Fault.http(400, b'{"error": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    )

    with pytest.raises(EurostatHTTPError) as caught:
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert str(caught.value) == "isoc_e_dii: Eurostat answered HTTP 400 (after 1 try)"


def test_a_long_multi_line_error_label_is_one_bounded_line(replay_server: ReplayServer) -> None:
    label = "BAD QUERY\n" + "x" * 100_000
    body = json.dumps({"error": [{"status": 400, "id": 1, "label": label}]}).encode()
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.http(400, body))

    with pytest.raises(EurostatHTTPError) as caught:
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    message = str(caught.value)
    assert message.startswith("isoc_e_dii: Eurostat answered HTTP 400: BAD QUERY xxx")
    assert "\n" not in message
    assert len(message) < 500


def test_the_answer_for_another_dataset_is_refused(replay_server: ReplayServer) -> None:
    # The recorded households answer names itself ISOC_CI_CM_H in extension.id.
    replay_server.serve("isoc_e_dii", fixture_bytes("jsonstat2_sdmx3_isoc_ci_cm_h_A2.json"))

    with pytest.raises(EurostatResponseError) as caught:
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")

    assert str(caught.value) == (
        "isoc_e_dii: the response is dataset 'ISOC_CI_CM_H', not the 'isoc_e_dii' asked for; "
        "refused"
    )


def test_an_answer_that_names_no_dataset_is_not_refused_for_it(
    replay_server: ReplayServer,
) -> None:
    replay_server.serve("isoc_eb_ai", ai_body())  # hand-built: no extension at all

    fetched = client_for(replay_server.base_url, Sleeps()).fetch("isoc_eb_ai")

    assert fetched.payload["label"].startswith("Artificial intelligence")


@pytest.mark.parametrize(
    ("extension", "complaint"),
    [
        ("ISOC_E_DII", "'extension' is not an object (str)"),
        ({"id": ["ISOC_E_DII"]}, "dataset id is not text (list)"),
    ],
)
def test_a_dataset_id_of_the_wrong_type_is_refused(
    replay_server: ReplayServer, extension: object, complaint: str
) -> None:
    payload = json.loads(dii_body())
    payload["extension"] = extension
    replay_server.serve("isoc_e_dii", json.dumps(payload).encode())

    with pytest.raises(EurostatResponseError, match=re.escape(complaint)):
        client_for(replay_server.base_url, Sleeps()).fetch("isoc_e_dii")


# --- a budget for all fetches together ------------------------------------------------------


def test_the_budget_is_optional_positive_and_follows_the_settings(tmp_path: Path) -> None:
    assert EurostatClient("http://127.0.0.1:1").budget is None
    with pytest.raises(ValueError, match="budget"):
        EurostatClient("http://127.0.0.1:1", budget=0)
    settings = national_settings(tmp_path, "http://127.0.0.1:1/eurostat")  # 2 s read timeout
    assert EurostatClient.from_settings(settings).budget == 20.0
    assert EurostatClient.from_settings(settings, timeout=0.5).budget == 5.0
    assert EurostatClient.from_settings(settings, timeout=0.5, budget=9).budget == 9.0


def test_a_dripping_server_is_cut_off_when_the_budget_runs_out_without_a_retry(
    replay_server: ReplayServer,
) -> None:
    # Each try alone could last 4 s (its deadline), three of them 12 s: the 1.5 s budget
    # ends the first and leaves no time for the others, nor for the next dataset.
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.serve("isoc_eb_ai", ai_body())
    replay_server.always("isoc_e_dii", Fault.drip(0.05))
    sleeps = Sleeps()
    client = EurostatClient(
        replay_server.base_url, timeout=1.0, retries=2, backoff=0.1, sleep=sleeps, budget=1.5
    )
    started = time.monotonic()

    with pytest.raises(EurostatTimeoutError) as caught:
        client.fetch("isoc_e_dii")

    elapsed = time.monotonic() - started
    assert str(caught.value) == (
        f"isoc_e_dii: 127.0.0.1:{replay_server.port} did not send the whole answer within "
        "1.5 s, the time limit for the whole refresh (after 1 try)"
    )
    assert 1.4 < elapsed < 3.0
    assert sleeps == []
    with pytest.raises(EurostatTimeoutError) as later:
        client.fetch("isoc_eb_ai")
    assert str(later.value) == (
        "isoc_eb_ai: not tried: the 1.5 s time limit for the whole refresh had run out"
    )
    assert replay_server.requests_for("isoc_eb_ai") == []


def test_a_back_off_longer_than_the_budget_left_is_not_waited(
    replay_server: ReplayServer,
) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.http(503, retry_after="30"))
    sleeps, notices = Sleeps(), []
    client = EurostatClient(
        replay_server.base_url, timeout=1.0, retries=3, sleep=sleeps, budget=10,
        on_retry=notices.append,
    )  # fmt: skip

    with pytest.raises(EurostatHTTPError) as caught:
        client.fetch("isoc_e_dii")

    assert str(caught.value) == (
        "isoc_e_dii: Eurostat answered HTTP 503 (after 1 try; no retry: the 10 s time limit "
        "for the whole refresh would run out)"
    )
    assert sleeps == [] and notices == []
    assert len(replay_server.requests_for("isoc_e_dii")) == 1


def test_retries_within_the_budget_go_ahead(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.then("isoc_e_dii", Fault.http(503), Fault.http(502))
    sleeps = Sleeps()
    client = EurostatClient(
        replay_server.base_url, timeout=1.0, retries=3, backoff=0.5, sleep=sleeps, budget=10
    )

    assert client.fetch("isoc_e_dii").attempts == 3
    assert sleeps == [0.5, 1.0]


def test_a_server_that_drips_its_status_line_and_headers_is_cut_off_too(
    replay_server: ReplayServer,
) -> None:
    # Each byte comes well within the 2 s read timeout, so only the deadline can end this.
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.always("isoc_e_dii", Fault.drip_all(0.1))
    client = EurostatClient(replay_server.base_url, timeout=2.0, retries=0, deadline=0.8)
    started = time.monotonic()

    with pytest.raises(EurostatTimeoutError) as caught:
        client.fetch("isoc_e_dii")

    assert time.monotonic() - started < 2.0
    assert str(caught.value) == (
        f"isoc_e_dii: 127.0.0.1:{replay_server.port} did not answer within 0.8 s (after 1 try)"
    )


def test_a_compressed_drip_is_cut_off_at_the_deadline(replay_server: ReplayServer) -> None:
    replay_server.serve("isoc_e_dii", dii_body())
    replay_server.compress("gzip")
    replay_server.always("isoc_e_dii", Fault.drip(0.05))
    client = EurostatClient(replay_server.base_url, timeout=1.0, retries=0, deadline=0.5)
    started = time.monotonic()

    with pytest.raises(EurostatTimeoutError, match=r"whole answer within 0\.5 s"):
        client.fetch("isoc_e_dii")

    assert time.monotonic() - started < 2.0
