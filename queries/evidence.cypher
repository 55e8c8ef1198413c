// name: evidence
// title: Evidence about an entity, newest first
// description: >
//   Every Observation of the entity (watch checks, WARC captures, CSV status lists),
//   and when it is a Site also the observations of its URLs and its captured web
//   pages (Posts with platform 'web', kind 'capture', dated by when they were first
//   seen). Per item: kind, time, URL, status, HTTP status, change, detail, final URL,
//   content sha256, the WARC file and offset that hold the response, and its source.
// parameters:
//   uid: {type: string, required: true, description: "uid of a Site, Account, Url or Post"}
// writes: false
MATCH (item)-[:OBSERVED|ON_SITE*1..2]->(n)
WHERE n.uid = $uid
  AND (item.uid STARTS WITH 'observation:' OR (item.uid STARTS WITH 'post:' AND item.platform = 'web'))
OPTIONAL MATCH (item)-[:OBSERVED]->(x)
WITH DISTINCT n, item, x
WHERE x IS NULL OR x.uid = n.uid OR x.uid STARTS WITH 'url:'
OPTIONAL MATCH (w:Watch)-[:WATCHES]->(x)
RETURN CASE WHEN x IS NULL THEN 'capture' ELSE 'observation' END AS kind,
       coalesce(item.observed_at, item.first_seen) AS time, coalesce(item.url, x.url, w.url) AS url,
       item.status AS status, item.http_status AS http_status, item.change AS change, item.detail AS detail,
       item.final_url AS final_url, item.content_sha256 AS content_sha256, item.warc_file AS warc_file,
       item.warc_offset AS warc_offset, coalesce(item.source, item.source_file) AS source, item.uid AS uid
ORDER BY time DESC, uid
