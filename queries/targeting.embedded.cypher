// name: targeting
// title: Who targets a person
// description: >
//   The accounts, sites, posts and campaigns that TARGET, MENTION or IMPERSONATE a
//   Target (by uid or by name, case-insensitive). A post is attributed to the account
//   that posted it (actor), and named in `via`. (LadybugDB spelling: label(r).)
// parameters:
//   target: {type: string, required: true, description: "target uid (target:jane doe) or name"}
// writes: false
MATCH (t:Target)
WHERE t.uid = $target OR toLower(t.name) = toLower($target)
MATCH (x)-[r:TARGETS|MENTIONS|IMPERSONATES]->(t)
OPTIONAL MATCH (author:Account)-[:POSTED]->(x)
RETURN t.uid AS target, label(r) AS relation, coalesce(author.uid, x.uid) AS actor,
       coalesce(author.handle, x.handle, x.domain, x.label, x.uid) AS actor_name,
       CASE WHEN author IS NULL THEN NULL ELSE x.uid END AS via, r.time AS time, r.score AS score
ORDER BY relation, actor, via
