// name: targeting
// title: Who targets a person
// description: >
//   One row per actor that attacks a Target (by uid or by name, case-insensitive),
//   ranked by posts: accounts whose posts mention, reply to or quote one of the
//   Target's real accounts (Target.accounts) or mention or TARGET the Target itself;
//   impersonators (their posts in the Target's name); campaigns that TARGET it (what
//   their members posted about it); accounts and sites that TARGET it. `relation` lists
//   how (campaign, impersonates, mentions, quotes, replies, targets), `posts` counts
//   the posts, `first_time`/`last_time` span them, `evidence` holds the five earliest,
//   `score` is the impersonation score. The Target's own accounts are not actors.
//   (LadybugDB spelling: label(r), list functions.)
// parameters:
//   target: {type: string, required: true, description: "target uid (target:jane doe) or name"}
// writes: false
MATCH (t:Target)
WHERE t.uid = $target OR toLower(t.name) = toLower($target)
// Posts that mention, reply to or quote one of her real accounts, or mention or TARGET her.
OPTIONAL MATCH (a:Account)-[:POSTED]->(p:Post)-[r:MENTIONS|REPLIED_TO|QUOTED|TARGETS]->(y)
WHERE (y.uid = t.uid OR y.uid IN t.accounts OR y.account IN t.accounts) AND NOT a.uid IN t.accounts
WITH t, collect({actor: a.uid, name: a.handle, post: p.uid, time: p.created_at, score: CAST(NULL AS DOUBLE),
                 relation: CASE label(r) WHEN 'MENTIONS' THEN 'mentions' WHEN 'REPLIED_TO' THEN 'replies'
                                          WHEN 'QUOTED' THEN 'quotes' ELSE 'targets' END}) AS posted
// Impersonators, with the posts they made in her name.
OPTIONAL MATCH (i:Account|Site)-[m:IMPERSONATES]->(t)
OPTIONAL MATCH (i)-[:POSTED]->(ip:Post) WHERE ip.created_at IS NOT NULL
WITH t, posted, collect({actor: i.uid, name: coalesce(i.handle, i.domain), post: ip.uid, time: ip.created_at,
                         score: m.score, relation: 'impersonates'}) AS impersonating
// Campaigns that TARGET her, with what their members posted about her.
OPTIONAL MATCH (c:Campaign)-[:TARGETS]->(t)
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(:Account)-[:POSTED]->(cp:Post)-[:MENTIONS|REPLIED_TO|QUOTED|TARGETS]->(cy)
WHERE cy.uid = t.uid OR cy.uid IN t.accounts OR cy.account IN t.accounts
WITH t, posted, impersonating, collect({actor: c.uid, name: c.label, post: cp.uid, time: cp.created_at,
                                        score: CAST(NULL AS DOUBLE), relation: 'campaign'}) AS campaigns
// Accounts and sites that TARGET her (found by an analysis or a hand-made table).
OPTIONAL MATCH (x:Account|Site)-[:TARGETS]->(t)
WITH t, posted, impersonating, campaigns,
     collect({actor: x.uid, name: coalesce(x.handle, x.domain), post: CAST(NULL AS STRING),
              time: CAST(NULL AS INT64), score: CAST(NULL AS DOUBLE), relation: 'targets'}) AS targeting
UNWIND posted + impersonating + campaigns + targeting AS e
WITH t, e WHERE e.actor IS NOT NULL
// The evidence: the five earliest posts (a fixed-width time prefix sorts them, undated last;
// it is cut off after the sort).
WITH t, e.actor AS actor, e.name AS actor_name, collect(DISTINCT e.relation) AS relations,
     count(DISTINCT e.post) AS posts, min(e.time) AS first_time, max(e.time) AS last_time,
     collect(DISTINCT CASE WHEN e.post IS NOT NULL
                           THEN lpad(CAST(coalesce(e.time, 999999999999) AS STRING), 12, '0') + ' ' + e.post END) AS keyed,
     max(e.score) AS score
RETURN t.uid AS target, actor, actor_name, list_to_string(', ', list_sort(relations)) AS relation, posts,
       first_time, last_time, list_transform(list_sort(keyed)[1:5], k -> substring(k, 14, size(k))) AS evidence,
       score
ORDER BY posts DESC, actor
