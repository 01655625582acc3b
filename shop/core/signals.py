"""News from the kernel for the packages above (receivers run inside the sender's transaction)."""

from blinker import Namespace

_signals = Namespace()

#: The operator opened a compound. Sender: the community id.
community_opened = _signals.signal("community-opened")
