/*
 * Editors' own time zone: the browser's zone goes into a cookie that the server reads for admin
 * pages (`newsroom.middleware.EditorTimeZoneMiddleware`), so that times are shown and entered
 * in the editor's zone and Django's "You are N hours ahead of server time" never shows. The
 * sign-in page sets it, before any form with a time is opened.
 */
(function () {
  "use strict";

  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) {
    return;
  }
  var cookie = "newsroom_tz=" + encodeURIComponent(zone);
  if (document.cookie.split("; ").indexOf(cookie) === -1) {
    document.cookie = cookie + "; path=/; max-age=31536000; SameSite=Lax";
  }
})();
