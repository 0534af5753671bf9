"""Documents people receive, rendered from Jinja2 templates (HTML, escaped).

Each process keeps its documents' templates in its own package (`services/<process>/templates`)
and renders them through `Templates("services.<process>")`."""

import hashlib
import hmac

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def verification_code(secret: str, document_no: str) -> str:
    """A short code that proves the document was issued here (HMAC of its number)."""
    digest = hmac.new(secret.encode(), document_no.encode(), hashlib.sha256).hexdigest()
    return digest[:12].upper()


class Templates:
    """The templates of one package's `templates/` folder."""

    def __init__(self, package: str):
        self._env = Environment(loader=PackageLoader(package, "templates"),
                                undefined=StrictUndefined, autoescape=select_autoescape(["html"]))

    def render(self, template: str, **values) -> str:
        return self._env.get_template(template).render(**values)
