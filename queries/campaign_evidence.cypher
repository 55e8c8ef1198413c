// name: campaign_evidence
// title: Evidence of a campaign
// description: >
//   The evidence posts of a campaign in time order: author, time, modality, text, URL,
//   and the capture the post was read from (file, line or offset, sha256 of those
//   bytes, capture time when the capture says). One row per post and capture. For
//   the members' co-actions (who pushed what, seconds apart) use
//   `graphinv evidence campaign:…`.
// parameters:
//   campaign: {type: string, required: true, description: "campaign uid, e.g. campaign:0"}
// writes: false
MATCH (c:Campaign)-[e:EVIDENCE]->(p:Post)
WHERE c.uid = $campaign
OPTIONAL MATCH (a:Account)-[:POSTED]->(p)
OPTIONAL MATCH (k:Capture)-[:CAPTURES]->(p)
RETURN p.uid AS post, a.uid AS account, a.handle AS handle, p.created_at AS time, e.modality AS modality,
       p.text AS text, p.url AS url, k.source_file AS source_file, k.line AS line, k.offset AS offset,
       k.bytes_sha256 AS bytes_sha256, k.captured_at AS captured_at, k.uid AS capture
ORDER BY time, post, capture
