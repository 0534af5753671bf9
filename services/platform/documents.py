"""Documents people receive, rendered from Jinja2 templates (HTML, escaped)."""

import hashlib
import hmac

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_env = Environment(loader=PackageLoader("services", "templates"), undefined=StrictUndefined,
                   autoescape=select_autoescape(["html"]))


def verification_code(secret: str, document_no: str) -> str:
    """A short code that proves the document was issued here (HMAC of its number)."""
    digest = hmac.new(secret.encode(), document_no.encode(), hashlib.sha256).hexdigest()
    return digest[:12].upper()


def render(template: str, **values) -> str:
    return _env.get_template(template).render(**values)
