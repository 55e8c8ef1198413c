"""Coordinated behaviour: accounts acting on the same object within a time window.

Input is a *share frame*, one row per action on an object::

    account   str   who acted
    object    str   what was acted on (the retweeted post, the URL, the text, ...)
    content   str   the post that carried the action (its id)
    time      int   epoch seconds UTC
    modality  str   kind of object: "repost", "url", "text", "near_text", "image",
                    "hashtags", ... (optional; defaults to "share")

An object is keyed by ``(modality, object)``: the same string seen as a URL and as a
hashtag sequence is two objects.

Two semantics are reproduced exactly:

``coortweet`` (:func:`detect_coordination`)
    CooRTweet 2.x, ``detect_groups`` + ``flag_speed_share`` +
    ``generate_coordinated_network`` (Righetti & Balluff), run once per modality and
    stacked, as its multi-modal example does:

    1. per modality, accounts with fewer than ``min_participation`` shares are dropped;
    2. for each object every pair of shares at most ``window`` seconds apart (``<=``)
       is a co-share;
    3. pairs from one account, with equal contents, or where a content equals the
       object are removed (a missing content never pairs);
    4. per modality, the participation filter runs again on the contents left in
       the pairs: an account keeps counting only rows whose content is in some pair,
       and a pair survives when either of its contents belongs to an account with
       at least ``min_participation`` such rows;
    5. one undirected edge per account pair, ``weight`` = number of co-share pairs,
       ``weight_threshold`` = 1 when the weight is strictly above the
       ``edge_weight`` quantile of all weights (R's default type 7, the same as
       numpy's ``linear``); the flag never removes an edge.

    With ``fast_window`` the pairs at most that many seconds apart are flagged after
    their own participation filter (``flag_speed_share``) and the edges gain
    ``weight_fast``, ``avg_time_delta_fast``, ``edge_symmetry_score_fast`` and
    ``weight_threshold_fast`` (quantile over the edges that have fast pairs).

``cnt`` (:func:`detect_coordination_cnt`)
    The Coordination Network Toolkit 1.5 (QUT Digital Observatory): directed edges
    ``user_1 -> user_2`` whose weight is the number of *distinct messages* of
    ``user_1`` that have a share of the same object by ``user_2`` within
    ``[t - window, t + window]`` (inclusive); a message matches itself, so loops
    exist and weigh the user's message count; edges below ``min_weight`` are
    dropped, loops are dropped unless ``loops=True``. One network per modality
    (co-retweet for ``repost``, co-link for ``url``, co-tweet for ``text``).

Memory stays bounded: the share frame is held as integer codes (strings stay in Arrow
arrays), shares are sorted by (object, time), the partner range of each share is found
with ``searchsorted``, and pairs are generated in chunks of about ``chunk_pairs`` that
end where an object ends. Each chunk is reduced at once into per-edge sums and
distinct counts (:class:`~.kernel.KeyedSums`, :class:`~.kernel.DistinctCounter`), so
memory follows the number of edges, not of pairs: 400 accounts posting each of 375
texts in the same second (30M pairs, 7.8M edges) run in about 5 GB. An object with
more pairs than a chunk (a viral URL) is streamed in pieces; nothing is skipped unless
``max_pairs_per_object`` is set, which skips such objects whole and lists them in
``result.stats["capped_objects"]`` (a different result, so opt-in). The pair table
itself is returned only when asked (``keep_pairs``), or for some accounts only
(:func:`~.coortweet.coshare_pairs`).

The package, one family per module: :mod:`.kernel` (the share frame as codes, pair
streaming, the result record), :mod:`.coortweet`, :mod:`.toolkit` (CNT),
:mod:`.objects` (share objects for near-duplicate texts, images, hashtag sequences),
:mod:`.tables` (share tables on disk, ``graphinv coordination``) and :mod:`.analysis`
(the store step of ``graphinv analyze``: shares from the graph, campaigns, results).
"""

from .coortweet import coshare_pairs, detect_coordination, estimate_window
from .kernel import (
    CHUNK_PAIRS,
    CNT_EDGE_COLUMNS,
    EDGE_COLUMNS,
    FAST_EDGE_COLUMNS,
    MAX_PAIRS_PER_OBJECT,
    MODALITY_EDGE_COLUMNS,
    NODE_COLUMNS,
    PAIR_COLUMNS,
    SHARE_COLUMNS,
    CoordinationResult,
)
from .objects import hashtag_sequence_objects, image_hash_objects, near_duplicate_objects
from .tables import CNT_COLUMNS, TABLE_SHAPES, read_share_table, run_on_table
from .toolkit import CNT_NETWORKS, cnt_normalise_text, detect_coordination_cnt

__all__ = [
    "CHUNK_PAIRS", "CNT_COLUMNS", "CNT_EDGE_COLUMNS", "CNT_NETWORKS", "EDGE_COLUMNS", "FAST_EDGE_COLUMNS",
    "MAX_PAIRS_PER_OBJECT", "MODALITY_EDGE_COLUMNS", "NODE_COLUMNS", "PAIR_COLUMNS", "SHARE_COLUMNS", "TABLE_SHAPES",
    "CoordinationResult", "coshare_pairs",
    "cnt_normalise_text", "detect_coordination", "detect_coordination_cnt", "estimate_window",
    "hashtag_sequence_objects", "image_hash_objects", "near_duplicate_objects", "read_share_table", "run_on_table",
]
