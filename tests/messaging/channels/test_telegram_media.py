"""A resident's photo fetched from Telegram: ``getFile``, then the file server (respx)."""

import io
import json

import httpx
import pytest
from PIL import Image

from imbizo.messaging.channels.telegram import TelegramPlugin
from imbizo.messaging.providers import PermanentProviderError, TransientProviderError

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
API = "https://bots.example.test"
GET_FILE = f"{API}/bot{TOKEN}/getFile"
FILE_PATH = "photos/file_7.jpg"
DOWNLOAD = f"{API}/file/bot{TOKEN}/{FILE_PATH}"


@pytest.fixture(autouse=True)
def telegram_bot(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_URL = API
    settings.ATTACHMENT_MAX_BYTES = 50_000


def image(fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "steelblue").save(out, fmt)
    return out.getvalue()


def file_info(size: int | None = 2048, path: str = FILE_PATH) -> httpx.Response:
    result = {"file_id": "AgAD-large", "file_unique_id": "l", "file_path": path}
    if size is not None:
        result["file_size"] = size
    return httpx.Response(200, json={"ok": True, "result": result})


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_a_photo_is_fetched_by_its_file_id(respx_mock, fmt, content_type):
    data = image(fmt)
    get_file = respx_mock.post(GET_FILE).mock(file_info(len(data)))
    # Telegram's file server says octet-stream: the bytes themselves tell the type.
    respx_mock.get(DOWNLOAD).mock(httpx.Response(
        200, content=data, headers={"Content-Type": "application/octet-stream"}))
    assert TelegramPlugin().fetch_media("AgAD-large") == (data, content_type)
    assert json.loads(get_file.calls.last.request.content) == {"file_id": "AgAD-large"}


def test_a_file_said_to_be_too_large_is_not_downloaded(respx_mock):
    respx_mock.post(GET_FILE).mock(file_info(50_001))
    download = respx_mock.get(DOWNLOAD).mock(httpx.Response(200, content=image()))
    with pytest.raises(PermanentProviderError, match="larger than"):
        TelegramPlugin().fetch_media("AgAD-large")
    assert download.call_count == 0


def test_a_download_past_the_limit_is_cut_off(respx_mock):
    respx_mock.post(GET_FILE).mock(file_info(size=None))
    respx_mock.get(DOWNLOAD).mock(httpx.Response(200, content=b"\xff\xd8\xff" + b"0" * 60_000))
    with pytest.raises(PermanentProviderError, match="larger than"):
        TelegramPlugin().fetch_media("AgAD-large")


def test_what_is_not_an_image_is_refused(respx_mock):
    respx_mock.post(GET_FILE).mock(file_info(path="documents/file_8.pdf"))
    respx_mock.get(f"{API}/file/bot{TOKEN}/documents/file_8.pdf").mock(
        httpx.Response(200, content=b"%PDF-1.7 not a photo"))
    with pytest.raises(PermanentProviderError, match="not a JPEG"):
        TelegramPlugin().fetch_media("AgAD-large")


@pytest.mark.parametrize(("answer", "error"), [
    (httpx.Response(400, json={"ok": False, "error_code": 400,
                               "description": "Bad Request: invalid file_id"}),
     PermanentProviderError),
    (httpx.Response(502, text="Bad Gateway"), TransientProviderError),
    (httpx.ConnectError("refused"), TransientProviderError),
])
def test_get_file_errors_are_mapped(respx_mock, answer, error):
    route = respx_mock.post(GET_FILE)
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(answer)
    with pytest.raises(error) as raised:
        TelegramPlugin().fetch_media("AgAD-large")
    assert TOKEN not in str(raised.value)


def test_a_file_server_outage_is_transient(respx_mock):
    respx_mock.post(GET_FILE).mock(file_info())
    respx_mock.get(DOWNLOAD).mock(httpx.Response(503))
    with pytest.raises(TransientProviderError):
        TelegramPlugin().fetch_media("AgAD-large")
