// name: lineage
// title: Lineage of a site or account
// description: >
//   The REAPPEARS_AS chain through an entity, in both directions: every edge between
//   its predecessors, itself and its successors (up to 10 generations each way), with
//   the score, gap (seconds), signals and per-signal evidence of each step. Oldest step
//   first: by the successor's first sign (created_at, else first_seen), then the predecessor's,
//   then the gap (entities without a first sign).
// parameters:
//   uid: {type: string, required: true, description: "uid of a Site or Account"}
// writes: false
MATCH (n)
WHERE n.uid = $uid
OPTIONAL MATCH (n)-[:REAPPEARS_AS*1..10]->(later)
WITH n, collect(DISTINCT later.uid) AS successors
OPTIONAL MATCH (earlier)-[:REAPPEARS_AS*1..10]->(n)
WITH n, successors, collect(DISTINCT earlier.uid) AS predecessors
WITH predecessors + [n.uid] + successors AS members
MATCH (a)-[r:REAPPEARS_AS]->(b)
WHERE a.uid IN members AND b.uid IN members
RETURN a.uid AS predecessor, coalesce(a.domain, a.handle) AS predecessor_name,
       b.uid AS successor, coalesce(b.domain, b.handle) AS successor_name,
       r.score AS score, r.gap AS gap, r.signals AS signals, r.evidence AS evidence, r.lineage AS lineage,
       coalesce(a.created_at, a.first_seen) AS predecessor_since, coalesce(b.created_at, b.first_seen) AS successor_since
ORDER BY successor_since, predecessor_since, gap, predecessor, successor
