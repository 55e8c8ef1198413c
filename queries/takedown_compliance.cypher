// name: takedown_compliance
// title: Takedown compliance per platform and recipient
// description: >
//   For each Report, the first later Observation of the reported entity with a removed
//   status (one of `removed`). Per platform and recipient: the
//   number of reports, how many were removed at all and within `hours`, that share,
//   and the median hours to removal of the removed ones.
// parameters:
//   hours: {type: int, default: 48, description: "the compliance deadline in hours"}
//   removed: {type: strings, vocabulary: gone_statuses, description: "the statuses that count as removed"}
// writes: false
MATCH (r:Report)-[:REPORTED]->(e)
OPTIONAL MATCH (o:Observation)-[:OBSERVED]->(e)
WHERE o.observed_at >= r.reported_at AND o.status IN $removed
WITH r, e, min(o.observed_at) AS removed_at
WITH coalesce(r.platform, e.platform, 'unknown') AS platform, coalesce(r.reported_to, 'unknown') AS reported_to,
     r, (removed_at - r.reported_at) / 3600.0 AS hours_to_removal
RETURN platform, reported_to, count(r) AS reports, count(hours_to_removal) AS removed,
       sum(CASE WHEN hours_to_removal <= $hours THEN 1 ELSE 0 END) AS removed_within,
       sum(CASE WHEN hours_to_removal <= $hours THEN 1 ELSE 0 END) * 1.0 / count(r) AS share_within,
       percentileCont(hours_to_removal, 0.5) AS median_hours
ORDER BY platform, reported_to
