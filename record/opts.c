// SPDX-License-Identifier: BSD-2-Clause
/* opts: tcpdrop-record's command line, parsed and range-checked into one struct. */
#include "opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tdf.h"

int opts_parse_num(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen)
{
	uint64_t v = 0;
	const char *p;
	bool overflow = false;

	if (!s || !*s) {
		snprintf(err, errlen, "%s: empty value (range %llu-%llu)", name,
			 (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "%s: '%s' is not a number (range %llu-%llu)", name, s,
				 (unsigned long long)min, (unsigned long long)max);
			return -EINVAL;
		}
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			overflow = true;
			break;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (overflow || v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range (range %llu-%llu)", name, s,
			 (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int opts_parse_size_kb(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       char *err, size_t errlen)
{
	char digits[32];
	size_t n = strspn(s ? s : "", "0123456789");
	const char *unit = s ? s + n : "";
	uint64_t mult, v, lim;
	int rc;

	if (!strcmp(unit, "") || !strcasecmp(unit, "k") || !strcasecmp(unit, "kb"))
		mult = 1024;
	else if (!strcasecmp(unit, "m") || !strcasecmp(unit, "mb"))
		mult = 1024 * 1024;
	else {
		snprintf(err, errlen, "%s: '%s' is not a size (K or M, range %lluK-%lluM)", name,
			 s ? s : "", (unsigned long long)(min >> 10),
			 (unsigned long long)(max >> 20));
		return -EINVAL;
	}
	if (n == 0 || n >= sizeof(digits)) {
		snprintf(err, errlen, "%s: '%s' is not a size (range %lluK-%lluM)", name,
			 s ? s : "", (unsigned long long)(min >> 10),
			 (unsigned long long)(max >> 20));
		return -EINVAL;
	}
	memcpy(digits, s, n);
	digits[n] = 0;
	lim = UINT64_MAX / mult;
	rc = opts_parse_num(name, digits, 0, lim, &v, err, errlen);
	if (rc)
		return rc;
	v *= mult;
	if (v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range (range %lluK-%lluM)", name, s,
			 (unsigned long long)(min >> 10), (unsigned long long)(max >> 20));
		return -ERANGE;
	}
	*out = v;
	return 0;
}

enum {
	OPT_DURATION = 0x100,
	OPT_PORT,
	OPT_HOST,
	OPT_NETNS,
	OPT_REASON,
	OPT_ALL_REASONS,
	OPT_NO_STACK,
	OPT_NO_OWNER,
	OPT_STACK_DEPTH,
	OPT_RINGBUF,
	OPT_FLUSH,
	OPT_METRICS,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option long_opts[] = {
    {"duration", required_argument, NULL, OPT_DURATION},
    {"port", required_argument, NULL, OPT_PORT},
    {"host", required_argument, NULL, OPT_HOST},
    {"netns", required_argument, NULL, OPT_NETNS},
    {"reason", required_argument, NULL, OPT_REASON},
    {"all-reasons", no_argument, NULL, OPT_ALL_REASONS},
    {"no-stack", no_argument, NULL, OPT_NO_STACK},
    {"no-owner", no_argument, NULL, OPT_NO_OWNER},
    {"stack-depth", required_argument, NULL, OPT_STACK_DEPTH},
    {"ringbuf-size", required_argument, NULL, OPT_RINGBUF},
    {"flush-interval", required_argument, NULL, OPT_FLUSH},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The long name of an option value, or NULL for short options and unknown ones. */
static const char *long_name(int val)
{
	if (val < OPT_DURATION)
		return NULL;
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == val)
			return lo->name;
	return NULL;
}

static int parse_reasons(struct rec_opts *o, const char *arg, char *err, size_t errlen)
{
	size_t used = 0;
	char *tok, *save = NULL, *copy;
	size_t alen = strlen(arg);

	for (uint32_t i = 0; i < o->nreasons; i++)
		used += strlen(o->reasons[i]) + 1;
	if (used + alen + 1 > sizeof(o->reasons_buf)) {
		snprintf(err, errlen, "--reason: list too long");
		return -EINVAL;
	}
	copy = o->reasons_buf + used;
	memcpy(copy, arg, alen + 1);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nreasons >= OPTS_REASONS_MAX) {
			snprintf(err, errlen, "--reason: at most %u reasons", OPTS_REASONS_MAX);
			return -EINVAL;
		}
		o->reasons[o->nreasons++] = tok;
	}
	if (o->nreasons == 0) {
		snprintf(err, errlen,
			 "--reason: no reason name given (names such as NO_SOCKET,TCP_CSUM)");
		return -EINVAL;
	}
	return 0;
}

int opts_parse(int argc, char **argv, struct rec_opts *o, char *err, size_t errlen)
{
	uint64_t v;
	int c, rc = 0;
	bool depth_set = false, flush_set = false;

	memset(o, 0, sizeof(*o));
	o->snaplen = OPTS_SNAPLEN_DEFAULT;
	o->stack_depth = OPTS_STACK_DEPTH_DEFAULT;
	o->ringbuf_bytes = OPTS_RINGBUF_DEFAULT;
	o->flush_ms = OPTS_FLUSH_MS_DEFAULT;
	o->user = OPTS_USER_DEFAULT;
	o->user_built_in = o->user != NULL;
	err[0] = 0;

	optind = 0; /* full reset, so tests may call this repeatedly */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:c:C:G:W:s:Z:46nq", long_opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			o->path = optarg;
			break;
		case 'c':
			rc = opts_parse_num("-c", optarg, 1, UINT64_MAX, &o->count, err, errlen);
			break;
		case OPT_DURATION:
			rc = opts_parse_num("--duration", optarg, 1, 10u * 365 * 86400,
					    &o->duration_s, err, errlen);
			break;
		case 'C':
			rc = opts_parse_num("-C", optarg, 1, 1000000, &v, err, errlen);
			o->rotate_bytes = v * 1000000;
			break;
		case 'G':
			rc = opts_parse_num("-G", optarg, 1, 366u * 86400, &v, err, errlen);
			o->rotate_secs = (uint32_t)v;
			break;
		case 'W':
			rc = opts_parse_num("-W", optarg, 1, 100000, &v, err, errlen);
			o->ring_files = (uint32_t)v;
			break;
		case 's':
			rc = opts_parse_num("-s", optarg, OPTS_SNAPLEN_MIN, TDF_SNAP_MAX, &v, err,
					    errlen);
			o->snaplen = (uint32_t)v;
			break;
		case '4':
		case '6':
			if (o->family && o->family != c - '0') {
				snprintf(err, errlen, "-4 and -6 exclude each other");
				rc = -EINVAL;
			}
			o->family = (uint8_t)(c - '0');
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'Z':
			if (!*optarg) {
				snprintf(err, errlen, "-Z: empty user name");
				rc = -EINVAL;
			}
			o->user = optarg;
			o->user_built_in = false;
			break;
		case 'n':
			break; /* tcpdump's habit: addresses are never resolved anyway */
		case OPT_PORT:
			rc = opts_parse_num("--port", optarg, 1, 65535, &v, err, errlen);
			o->port = (uint16_t)v;
			break;
		case OPT_HOST:
			o->host_str = optarg;
			memset(o->host, 0, sizeof(o->host));
			if (inet_pton(AF_INET, optarg, o->host) == 1) {
				o->host_family = 4;
			} else if (inet_pton(AF_INET6, optarg, o->host) == 1) {
				o->host_family = 6;
			} else {
				snprintf(err, errlen, "--host: '%s' is not an IPv4 or IPv6 address",
					 optarg);
				rc = -EINVAL;
			}
			break;
		case OPT_NETNS:
			rc = opts_parse_num("--netns", optarg, 1, UINT32_MAX, &v, err, errlen);
			o->netns = (uint32_t)v;
			break;
		case OPT_REASON:
			rc = parse_reasons(o, optarg, err, errlen);
			break;
		case OPT_ALL_REASONS:
			o->all_reasons = true;
			break;
		case OPT_NO_STACK:
			o->no_stack = true;
			break;
		case OPT_NO_OWNER:
			o->no_owner = true;
			break;
		case OPT_STACK_DEPTH:
			rc = opts_parse_num("--stack-depth", optarg, 1, TDF_STACK_MAX, &v, err,
					    errlen);
			o->stack_depth = (uint32_t)v;
			depth_set = true;
			break;
		case OPT_RINGBUF:
			rc = opts_parse_size_kb("--ringbuf-size", optarg, OPTS_RINGBUF_MIN,
						OPTS_RINGBUF_MAX, &o->ringbuf_bytes, err, errlen);
			if (!rc && (o->ringbuf_bytes & (o->ringbuf_bytes - 1))) {
				snprintf(err, errlen,
					 "--ringbuf-size: %s is not a power of two (e.g. 256K, 8M)",
					 optarg);
				rc = -EINVAL;
			}
			break;
		case OPT_FLUSH:
			rc = opts_parse_num("--flush-interval", optarg, 10, 60000, &v, err, errlen);
			o->flush_ms = (uint32_t)v;
			flush_set = true;
			break;
		case OPT_METRICS:
			o->metrics = optarg;
			break;
		case OPT_HELP:
			o->help = true;
			break;
		case OPT_VERSION:
			o->version = true;
			break;
		case ':':
			if (long_name(optopt))
				snprintf(err, errlen, "--%s: needs a value", long_name(optopt));
			else
				snprintf(err, errlen, "-%c: needs a value", optopt);
			return -EINVAL;
		default:
			/* a long option given a value it does not take, or an unknown option */
			if (long_name(optopt))
				snprintf(err, errlen, "--%s: takes no value", long_name(optopt));
			else if (optopt > ' ' && optopt < 0x7f)
				snprintf(err, errlen, "-%c: unknown option", optopt);
			else
				snprintf(err, errlen, "%s: unknown option", argv[optind - 1]);
			return -EINVAL;
		}
		if (rc)
			return -EINVAL;
	}
	if (o->help || o->version)
		return 0;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (o->path && !*o->path) {
		snprintf(err, errlen, "-w: empty file name");
		return -EINVAL;
	}
	if (o->metrics && (!*o->metrics || !strcmp(o->metrics, "-") ||
			   o->metrics[strlen(o->metrics) - 1] == '/')) {
		snprintf(err, errlen, "--metrics: '%s' is not a file name (e.g. %s)", o->metrics,
			 "/var/lib/prometheus/node-exporter/tcpdrop.prom");
		return -EINVAL;
	}
	if ((!o->path || !strcmp(o->path, "-")) &&
	    (o->rotate_bytes || o->rotate_secs || o->ring_files)) {
		snprintf(err, errlen, "-C, -G and -W need -w FILE, not %s",
			 o->path ? "standard output" : "the live view");
		return -EINVAL;
	}
	if (!o->path && !flush_set)
		o->flush_ms = OPTS_FLUSH_MS_LIVE;
	if (o->ring_files && !o->rotate_bytes && !o->rotate_secs) {
		snprintf(err, errlen, "-W needs -C or -G");
		return -EINVAL;
	}
	if (o->no_stack && depth_set) {
		snprintf(err, errlen, "--no-stack and --stack-depth exclude each other");
		return -EINVAL;
	}
	if (o->no_stack)
		o->stack_depth = 0;
	if (o->host_family && o->family && o->host_family != o->family) {
		snprintf(err, errlen, "--host %s contradicts -%u", o->host_str, o->family);
		return -EINVAL;
	}
	return 0;
}

void opts_filters_str(const struct rec_opts *o, char *buf, size_t len)
{
	size_t off = 0;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (off < len) {                                                                   \
			int n_ = snprintf(buf + off, len - off, __VA_ARGS__);                      \
			off += n_ > 0 ? (size_t)n_ : 0;                                            \
		}                                                                                  \
	} while (0)

	if (len)
		buf[0] = 0;
	if (o->family)
		ADD("%s-%u", off ? " " : "", o->family);
	if (o->port)
		ADD("%s--port %u", off ? " " : "", o->port);
	if (o->host_family)
		ADD("%s--host %s", off ? " " : "", o->host_str);
	if (o->netns)
		ADD("%s--netns %u", off ? " " : "", o->netns);
	for (uint32_t i = 0; i < o->nreasons; i++)
		ADD("%s%s", i ? "," : (off ? " --reason " : "--reason "), o->reasons[i]);
	if (o->all_reasons)
		ADD("%s--all-reasons", off ? " " : "");
#undef ADD
}
