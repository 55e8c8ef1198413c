// name: campaign_evidence
// title: Evidence of a campaign
// description: >
//   The evidence posts of a campaign in time order: author, time, modality, text, URL,
//   and where the post came from (its source file and the IngestRun that read it, with
//   the time of that ingest).
// parameters:
//   campaign: {type: string, required: true, description: "campaign uid, e.g. campaign:0"}
// writes: false
MATCH (c:Campaign)-[e:EVIDENCE]->(p:Post)
WHERE c.uid = $campaign
OPTIONAL MATCH (a:Account)-[:POSTED]->(p)
OPTIONAL MATCH (ir:IngestRun)
WHERE ir.uid IN p.runs
RETURN p.uid AS post, a.uid AS account, a.handle AS handle, p.created_at AS time, e.modality AS modality,
       p.text AS text, p.url AS url, p.source_file AS source_file, ir.uid AS run, ir.source AS run_source,
       ir.started_at AS ingested_at, p.first_seen AS captured_at
ORDER BY time, post, run
