# Varnish in front of the newsroom's app servers, purged by surrogate key (vmod xkey, Debian's
# varnish-modules). Pages name their content in `Surrogate-Key`; a committed change sends
# `PURGE /` with `xkey-purge: story:12 front …` (articles.caching.backends.VarnishPurge), and
# every object filed under one of those keys is dropped at once.
#
# Replace the backend's address with your app servers', and the `purgers` ACL with the
# addresses your app servers purge from.
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # Editors (who carry a session cookie) and the admin are never served from the cache; the
    # app marks their pages private anyway.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "sessionid=") {
        return (pass);
    }
    # Readers' pages do not depend on other cookies (analytics and the like).
    unset req.http.Cookie;
}

sub vcl_backend_response {
    # The keys xkey files the object under.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
}
