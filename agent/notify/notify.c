/*
 * notify.c - webhook delivery with libcurl and an HMAC-SHA256 signature
 * from libcrypto.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notify/notify.h"

char *
notify_signature(const char *secret, const char *body, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	struct buf b = BUF_INIT;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)body, len, mac, &n) == NULL)
		abort(); /* only out of memory */
	buf_adds(&b, "sha256=");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%02x", mac[i]);
	return buf_detach(&b, NULL);
}

/* "https://host" of url: the rest may carry a token. */
static char *
url_origin(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n;

	if (host == NULL)
		return xstrdup("?");
	host += 3;
	n = strcspn(host, "/?#");
	return xstrndup(url, (size_t)(host - url) + n);
}

static size_t
discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data, (void)arg;
	return size * nmemb;
}

/* One attempt; 0 on a 2xx answer, else -1 with error_set. */
static int
post_once(CURL *c, const char *url, struct curl_slist *hdrs, const char *body,
    long timeout_s)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "slipway");
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		return error_set("%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299)
		return error_set("HTTP %ld", status);
	return 0;
}

int
notify_deliver(const struct strv *urls, const char *secret,
    const char *body, long timeout_s, long retries)
{
	struct curl_slist *hdrs = NULL;
	struct buf failures = BUF_INIT;
	CURL *c;
	size_t i;
	long attempt;
	int rc = 0;

	if (urls->n == 0)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c = curl_easy_init()) == NULL)
		return error_set("cannot initialise libcurl");
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (secret != NULL) {
		char *sig = notify_signature(secret, body, strlen(body));
		char *h = xasprintf(NOTIFY_HEADER ": %s", sig);

		hdrs = curl_slist_append(hdrs, h);
		free(h);
		free(sig);
	}
	if (hdrs == NULL)
		abort();
	for (i = 0; i < urls->n; i++) {
		long delay = 1000;
		int ok = -1;

		for (attempt = 0; attempt <= retries && ok < 0; attempt++) {
			if (attempt > 0) {
				sleep_ms(delay);
				delay *= 2;
			}
			ok = post_once(c, urls->v[i], hdrs, body, timeout_s);
		}
		if (ok < 0) {
			char *origin = url_origin(urls->v[i]);

			buf_addf(&failures, "%s%s: %s after %ld attempt%s",
			    failures.len ? "; " : "", origin, error_last(),
			    attempt, attempt == 1 ? "" : "s");
			free(origin);
			rc = -1;
		}
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (rc < 0)
		error_set("notification failed: %s", failures.buf);
	buf_release(&failures);
	return rc;
}
