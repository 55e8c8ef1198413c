"""The HTML of the sites: article and home pages with real-world tracking snippets."""

from __future__ import annotations


def _tracking(ids: dict[str, str]) -> tuple[str, str]:
    """Real-world snippets for the given IDs: (head html, body-top html)."""
    head, body = [], []
    if "gtm" in ids:
        head.append("<!-- Google Tag Manager -->\n<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':\n"
                    "new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],\n"
                    "j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=\n"
                    "'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);\n"
                    f"}})(window,document,'script','dataLayer','{ids['gtm']}');</script>\n<!-- End Google Tag Manager -->")
        body.append(f'<noscript><iframe src="https://www.googletagmanager.com/ns.html?id={ids["gtm"]}" '
                    'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>')
    gt = [v for k, v in ids.items() if k in ("ua", "g")]
    if gt:
        cfg = "\n".join(f"  gtag('config', '{v}');" for v in gt)
        head.append(f'<script async src="https://www.googletagmanager.com/gtag/js?id={gt[0]}"></script>\n'
                    "<script>\n  window.dataLayer = window.dataLayer || [];\n  function gtag(){dataLayer.push(arguments);}\n"
                    f"  gtag('js', new Date());\n{cfg}\n</script>")
    if "ua_legacy" in ids:
        head.append("<script>\n(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){\n"
                    "(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),\n"
                    "m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)\n"
                    "})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');\n"
                    f"ga('create', '{ids['ua_legacy']}', 'auto');\nga('send', 'pageview');\n</script>")
    if "pub" in ids:
        head.append(f'<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client={ids["pub"]}" '
                    'crossorigin="anonymous"></script>')
    if "ym" in ids:
        head.append('<!-- Yandex.Metrika counter -->\n<script type="text/javascript" >\n'
                    "   (function(m,e,t,r,i,k,a){m[i]=m[i]||function(){(m[i].a=m[i].a||[]).push(arguments)};\n"
                    "   m[i].l=1*new Date();k=e.createElement(t),a=e.getElementsByTagName(t)[0],k.async=1,k.src=r,a.parentNode.insertBefore(k,a)})\n"
                    '   (window, document, "script", "https://mc.yandex.ru/metrika/tag.js", "ym");\n\n'
                    f'   ym({ids["ym"]}, "init", {{\n        clickmap:true,\n        trackLinks:true,\n        accurateTrackBounce:true\n   }});\n'
                    f'</script>\n<noscript><div><img src="https://mc.yandex.ru/watch/{ids["ym"]}" style="position:absolute; left:-9999px;" alt="" /></div></noscript>\n'
                    "<!-- /Yandex.Metrika counter -->")
    if "fb" in ids:
        head.append("<!-- Meta Pixel Code -->\n<script>\n!function(f,b,e,v,n,t,s)\n{if(f.fbq)return;n=f.fbq=function(){n.callMethod?\n"
                    "n.callMethod.apply(n,arguments):n.queue.push(arguments)};\nif(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';\n"
                    "n.queue=[];t=b.createElement(e);t.async=!0;\nt.src=v;s=b.getElementsByTagName(e)[0];\n"
                    "s.parentNode.insertBefore(t,s)}(window, document,'script',\n'https://connect.facebook.net/en_US/fbevents.js');\n"
                    f"fbq('init', '{ids['fb']}');\nfbq('track', 'PageView');\n</script>\n"
                    f'<noscript><img height="1" width="1" style="display:none"\nsrc="https://www.facebook.com/tr?id={ids["fb"]}&ev=PageView&noscript=1"\n/></noscript>\n'
                    "<!-- End Meta Pixel Code -->")
    return "\n".join(head), "\n".join(body)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def html_page(site_name: str, title: str, url: str, ids: dict, paragraphs: list[str], links: list[tuple[str, str]],
              img: str | None = None, lang: str = "en", charset: str = "utf-8", ads: str | None = None,
              date: str = "") -> str:
    """A site's page: its tracking snippets, the article (or home text), ads and links."""
    head, body_top = _tracking(ids)
    meta = (f'<meta charset="{charset}">' if charset == "utf-8"
            else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    parts = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{meta}\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f"<title>{_esc(title)} | {_esc(site_name)}</title>\n"
             f'<link rel="canonical" href="{url}">\n<meta property="og:url" content="{url}">\n'
             f'<meta property="og:title" content="{_esc(title)}">\n<meta property="og:site_name" content="{_esc(site_name)}">\n']
    if img:
        parts.append(f'<meta property="og:image" content="{img}">\n')
    parts.append(f"{head}\n</head>\n<body>\n{body_top}\n"
                 f'<header><a class="brand" href="/">{_esc(site_name)}</a></header>\n<main>\n<article>\n'
                 f"<h1>{_esc(title)}</h1>\n")
    if date:
        parts.append(f'<p class="byline"><time datetime="{date}">{date[:10]}</time></p>\n')
    if img:
        parts.append(f'<figure><img src="{img}" alt="photo" width="320" height="240"></figure>\n')
    for para in paragraphs:
        parts.append(f"<p>{_esc(para)}</p>\n")
    parts.append("</article>\n")
    if ads:
        parts.append(f'<ins class="adsbygoogle" style="display:block" data-ad-client="{ads}" data-ad-slot="4417203958" '
                     'data-ad-format="auto"></ins>\n<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>\n')
    if links:
        parts.append("<aside><ul>\n" + "".join(f'<li><a href="{u}">{_esc(t)}</a></li>\n' for u, t in links) + "</ul></aside>\n")
    parts.append(f"</main>\n<footer>&copy; 2026 {_esc(site_name)}</footer>\n</body>\n</html>\n")
    return "".join(parts)


def error_page(status: int) -> bytes:
    """nginx's page for a 404, 410 or 451 (the last with the court-order notice)."""
    msg = {404: "404 Not Found", 410: "410 Gone", 451: "451 Unavailable For Legal Reasons"}[status]
    extra = ("<p>Access to this website has been blocked following a court order.</p>" if status == 451 else "")
    return (f"<html>\r\n<head><title>{msg}</title></head>\r\n<body>\r\n<center><h1>{msg}</h1></center>\r\n{extra}"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


def in_paragraphs(sents: list[str]) -> list[str]:
    """Sentences joined three to a paragraph."""
    out = []
    for i in range(0, len(sents), 3):
        out.append(" ".join(sents[i:i + 3]))
    return out
