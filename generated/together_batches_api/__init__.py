"""A client library for accessing Together Batch API"""

# The client is attrs-based and loaded on first use, so that importing the models (which is
# what `import together_batches` does) does not load it. From spec/templates/.
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
