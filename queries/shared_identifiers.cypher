// name: shared_identifiers
// title: Entities sharing a tracking ID
// description: >
//   Tracking and infrastructure IDs (Identifier nodes) USED by at least min_entities
//   sites, posts or accounts, one row per (identifier, entity). Give identifier (a uid
//   such as identifier:ga:UA-123-1, or the bare value UA-123-1) to look at one ID only.
// parameters:
//   identifier: {type: string, default: "", description: "an identifier uid or value; empty for all"}
//   min_entities: {type: int, default: 2, description: "only IDs used by at least this many entities"}
// writes: false
MATCH (e)-[:USES]->(i:Identifier)
WHERE $identifier = '' OR i.uid = $identifier OR i.value = $identifier
WITH i, count(DISTINCT e) AS n_entities
WHERE n_entities >= $min_entities
MATCH (e)-[u:USES]->(i)
RETURN i.uid AS identifier, i.id_type AS id_type, i.value AS value, n_entities,
       e.uid AS entity, coalesce(e.domain, e.handle, e.url) AS entity_name, u.time AS time
ORDER BY n_entities DESC, identifier, time, entity
