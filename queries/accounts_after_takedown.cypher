// name: accounts_after_takedown
// title: Accounts created soon after a takedown
// description: >
//   For each account observed removed (a status of `removed`; the first such
//   observation is the takedown), the accounts on the same platform created
//   within `days` after it, with the hours between and the REAPPEARS_AS score if
//   analysis linked the two. Candidates for a returning account.
// parameters:
//   days: {type: int, default: 7, description: "window after the takedown, in days"}
//   removed: {type: strings, vocabulary: gone_statuses, description: "the statuses that count as a takedown"}
// writes: false
MATCH (o:Observation)-[:OBSERVED]->(gone:Account)
WHERE o.status IN $removed
WITH gone, min(o.observed_at) AS taken_down_at
MATCH (fresh:Account)
WHERE fresh.platform = gone.platform AND fresh.uid <> gone.uid
  AND fresh.created_at >= taken_down_at AND fresh.created_at <= taken_down_at + $days * 86400
OPTIONAL MATCH (gone)-[ra:REAPPEARS_AS]->(fresh)
RETURN gone.uid AS taken_down, gone.handle AS taken_down_handle, taken_down_at,
       fresh.uid AS created, fresh.handle AS created_handle, fresh.created_at AS created_at,
       (fresh.created_at - taken_down_at) / 3600.0 AS hours_after, ra.score AS reappearance_score
ORDER BY taken_down, created_at, created
