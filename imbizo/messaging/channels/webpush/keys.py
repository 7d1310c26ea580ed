"""VAPID keys: the pair a push service knows this server by (RFC 8292).

The public key goes to the browser as ``applicationServerKey`` (an uncompressed P-256
point), the private one signs each push request; both base64url without padding, the
form pywebpush and every browser read. Imports nothing of Django: ``imbizo demo`` makes a
pair before settings are loaded.
"""

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_pair() -> tuple[str, str]:
    """A new (public, private) pair."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _b64url(public), _b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def demo_pair(path: Path) -> tuple[str, str]:
    """The demo's pair, made once and kept in ``path``: a new pair at every start would
    orphan every browser that subscribed before."""
    if path.exists():
        kept = json.loads(path.read_text())
        return kept["public"], kept["private"]
    public, private = vapid_pair()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"public": public, "private": private}))
    path.chmod(0o600)
    return public, private
