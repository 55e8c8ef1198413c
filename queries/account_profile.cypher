// name: account_profile
// title: Account profile and activity
// description: >
//   One row for an account: its profile, how much it posted and reposted and when,
//   how many accounts it coordinated with, the campaigns it belongs to, what it was
//   reappearing from or as, and its latest observed status.
// parameters:
//   uid: {type: string, required: true, description: "account uid, e.g. account:twitter:alice"}
// writes: false
MATCH (a:Account)
WHERE a.uid = $uid
OPTIONAL MATCH (a)-[:POSTED]->(p:Post)
WITH a, count(DISTINCT p) AS posts, min(p.created_at) AS first_post, max(p.created_at) AS last_post
OPTIONAL MATCH (a)-[rp:REPOSTED]->(:Post)
WITH a, posts, first_post, last_post, count(rp) AS reposts, min(rp.time) AS first_repost, max(rp.time) AS last_repost
OPTIONAL MATCH (a)-[:COORDINATED_WITH]-(partner:Account)
WITH a, posts, first_post, last_post, reposts, first_repost, last_repost, count(DISTINCT partner) AS partners
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Campaign)
WITH a, posts, first_post, last_post, reposts, first_repost, last_repost, partners,
     collect(DISTINCT c.uid) AS campaigns
OPTIONAL MATCH (before:Account)-[:REAPPEARS_AS]->(a)
WITH a, posts, first_post, last_post, reposts, first_repost, last_repost, partners, campaigns,
     collect(DISTINCT before.uid) AS reappears_from
OPTIONAL MATCH (a)-[:REAPPEARS_AS]->(after:Account)
WITH a, posts, first_post, last_post, reposts, first_repost, last_repost, partners, campaigns, reappears_from,
     collect(DISTINCT after.uid) AS reappears_as
OPTIONAL MATCH (o:Observation)-[:OBSERVED]->(a)
WITH a, posts, first_post, last_post, reposts, first_repost, last_repost, partners, campaigns, reappears_from,
     reappears_as, max(o.observed_at) AS last_observed_at
RETURN a.uid AS uid, a.platform AS platform, a.handle AS handle, a.display_name AS display_name,
       a.created_at AS created_at, a.followers AS followers, a.status AS status,
       posts, first_post, last_post, reposts, first_repost, last_repost, partners, campaigns,
       reappears_from, reappears_as, last_observed_at
