// name: top_domains
// title: Top shared domains in a period
// description: >
//   Domains most shared between since (inclusive) and until (exclusive), counted like
//   top_urls (posts linking to a URL on the domain, and reposts of those posts).
// parameters:
//   since: {type: time, default: 0, description: "start of the period"}
//   until: {type: time, default: 4102444800, description: "end of the period (default 2100-01-01)"}
//   limit: {type: int, default: 20, description: "at most this many domains"}
// writes: false
MATCH (a:Account)-[s:POSTED|REPOSTED]->(p:Post)-[:LINKS_TO]->(u:Url)
WHERE s.time >= $since AND s.time < $until AND u.domain IS NOT NULL
RETURN u.domain AS domain, count(*) AS shares, count(DISTINCT a) AS accounts,
       count(DISTINCT u) AS urls, min(s.time) AS first_time, max(s.time) AS last_time
ORDER BY shares DESC, accounts DESC, domain
LIMIT $limit
