/*
 * Copyright (c) 2026 The sws authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * What swsbench measures with and where it looks: a log-linear latency
 * histogram (exact below 128 ns, then 64 steps per power of two, so a
 * quantile is off by at most 1/64), the CPU time and memory of the relay
 * and cryptod read from /proc, the search for those processes from the
 * port they listen on, and the small JSON writer of the report.
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "swsbench.h"

/* A number option in [lo, hi]; else a message and exit status 2. */
double
arg_num(const char *s, double lo, double hi, const char *what)
{
	char	*e;
	double	 v;

	errno = 0;
	v = strtod(s, &e);
	if (errno != 0 || e == s || *e != '\0' || v < lo || v > hi) {
		fprintf(stderr, "%s: %s: %s out of range [%g, %g]\n",
		    getprogname(), s, what, lo, hi);
		exit(2);
	}
	return v;
}

uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static size_t
hist_bucket(uint64_t v)
{
	unsigned int	 e;
	size_t		 b;

	if (v < 2 * HIST_SUB)
		return (size_t)v;
	e = 63 - (unsigned int)__builtin_clzll(v);	/* >= HIST_SUB_BITS + 1 */
	b = 2 * HIST_SUB + (size_t)(e - HIST_SUB_BITS - 1) * HIST_SUB +
	    (size_t)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
	return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}

/* The middle of bucket b. */
static uint64_t
hist_value(size_t b)
{
	unsigned int	 e;
	uint64_t	 sub, lo;

	if (b < 2 * HIST_SUB)
		return b;
	e = (unsigned int)((b - 2 * HIST_SUB) / HIST_SUB) + HIST_SUB_BITS + 1;
	sub = (b - 2 * HIST_SUB) % HIST_SUB;
	lo = (HIST_SUB + sub) << (e - HIST_SUB_BITS);
	return lo + ((1ULL << (e - HIST_SUB_BITS)) >> 1);
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_bucket(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t	 rank, seen = 0, v;
	size_t		 i;

	if (h->n == 0)
		return 0;
	rank = (uint64_t)(q * (double)h->n);
	if (rank >= h->n)
		rank = h->n - 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > rank) {
			v = hist_value(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

/* ------------------------------------------------------------------ */
/* /proc */

static int
read_file(const char *path, char *buf, size_t cap)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (int)n;
}

/* The fields of /proc/PID/stat after the command name: [0] is state. */
static int
stat_fields(pid_t pid, char *buf, size_t cap, char **fld, int nfld,
    char *comm, size_t commlen)
{
	char	 path[64], *p, *l, *save = NULL;
	int	 n = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, cap) <= 0)
		return -1;
	if ((l = strchr(buf, '(')) == NULL || (p = strrchr(buf, ')')) == NULL ||
	    p < l)
		return -1;
	if (comm != NULL) {
		snprintf(comm, commlen, "%.*s", (int)(p - l - 1), l + 1);
	}
	for (p = strtok_r(p + 1, " \n", &save); p != NULL && n < nfld;
	    p = strtok_r(NULL, " \n", &save))
		fld[n++] = p;
	return n;
}

double
proc_cpu(pid_t pid)
{
	char	 buf[1024], *f[16];
	long	 hz;

	if (pid <= 0 || stat_fields(pid, buf, sizeof(buf), f, 16, NULL, 0)
	    < 13)
		return -1;
	if ((hz = sysconf(_SC_CLK_TCK)) <= 0)
		hz = 100;
	return (double)(strtoull(f[11], NULL, 10) + strtoull(f[12], NULL,
	    10)) / (double)hz;
}

pid_t
proc_ppid(pid_t pid)
{
	char	 buf[1024], *f[4];

	if (pid <= 0 || stat_fields(pid, buf, sizeof(buf), f, 4, NULL, 0) < 2)
		return -1;
	return (pid_t)atoi(f[1]);
}

double
machine_busy(void)
{
	char			 buf[512];
	unsigned long long	 v[8];
	long			 hz;

	if (read_file("/proc/stat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return -1;
	if ((hz = sysconf(_SC_CLK_TCK)) <= 0)
		hz = 100;
	/* user nice system [idle iowait] irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;
}

long
proc_status_kb(pid_t pid, const char *key)
{
	char	 path[64], buf[4096], *p;
	size_t	 klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (pid <= 0 || read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	}
	return -1;
}

long
proc_nofile(pid_t pid)
{
	char	 path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	if (pid <= 0 || read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	if ((p = strstr(buf, "Max open files")) == NULL)
		return -1;
	p += strlen("Max open files");
	while (*p == ' ')
		p++;
	if (strncmp(p, "unlimited", 9) == 0)
		return LONG_MAX;
	return strtol(p, NULL, 10);
}

static int
is_pid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Inodes of the sockets listening on port, from /proc/net/tcp{,6}. */
static size_t
listen_inodes(int port, unsigned long *ino, size_t max)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	char		 line[512], *colon;
	unsigned int	 lport, st;
	unsigned long	 inode;
	size_t		 i, n = 0;
	FILE		*f;

	for (i = 0; i < 2; i++) {
		if ((f = fopen(files[i], "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL && n < max) {
			/* sl local rem st tx:rx tr:when retr uid tmo inode */
			if ((colon = strchr(line, ':')) == NULL ||
			    (colon = strchr(colon + 1, ':')) == NULL)
				continue;
			if (sscanf(colon + 1, "%x %*s %x %*s %*s %*s %*s %*s "
			    "%lu", &lport, &st, &inode) != 3)
				continue;
			if ((int)lport == port && st == 0x0a && inode != 0)
				ino[n++] = inode;
		}
		fclose(f);
	}
	return n;
}

static int
proc_title_is(pid_t pid, const char *title)
{
	char	 path[64], buf[256];
	int	 n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((n = read_file(path, buf, sizeof(buf))) <= 0)
		return 0;
	return strncmp(buf, title, strlen(title)) == 0;
}

static int
holds_inode(pid_t pid, const unsigned long *ino, size_t nino)
{
	char		 path[64], lpath[320], link[64];
	unsigned long	 v;
	struct dirent	*de;
	DIR		*d;
	ssize_t		 n;
	size_t		 i;
	int		 found = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		snprintf(lpath, sizeof(lpath), "%s/%s", path, de->d_name);
		if ((n = readlink(lpath, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &v) != 1)
			continue;
		for (i = 0; i < nino; i++)
			if (ino[i] == v)
				found = 1;
	}
	closedir(d);
	return found;
}

pid_t
find_relay(int port, int family)
{
	unsigned long	 ino[8];
	struct dirent	*de;
	size_t		 nino;
	pid_t		 pid, found = -1;
	DIR		*d;

	(void)family;
	if ((nino = listen_inodes(port, ino, 8)) == 0)
		return -1;
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (found == -1 && (de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (proc_title_is(pid, "relayd: relay") &&
		    holds_inode(pid, ino, nino))
			found = pid;
	}
	closedir(d);
	return found;
}

pid_t
find_child(pid_t ppid, const char *name)
{
	char		 buf[1024], comm[64], *f[4];
	struct dirent	*de;
	pid_t		 pid, found = -1;
	DIR		*d;

	if (ppid <= 0 || (d = opendir("/proc")) == NULL)
		return -1;
	while (found == -1 && (de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (stat_fields(pid, buf, sizeof(buf), f, 4, comm,
		    sizeof(comm)) >= 2 && atoi(f[1]) == (int)ppid &&
		    strcmp(comm, name) == 0)
			found = pid;
	}
	closedir(d);
	return found;
}

/* ------------------------------------------------------------------ */
/* the report */

/* A JSON string: quotes and backslashes escaped, control bytes as '?'. */
static void
jo_quoted(const char *v)
{
	const char	*p;

	fputc('"', stdout);
	for (p = v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', stdout);
		if ((unsigned char)*p < 0x20)
			fputc('?', stdout);
		else
			fputc(*p, stdout);
	}
	fputc('"', stdout);
}

static void
jo_sep(struct jout *j, const char *key)
{
	if (!j->first)
		fputc(',', stdout);
	j->first = 0;
	if (key == NULL)
		return;
	jo_quoted(key);
	fputc(':', stdout);
}

void
jo_begin(struct jout *j)
{
	j->first = 1;
	j->depth = 1;
	fputc('{', stdout);
}

void
jo_end(struct jout *j)
{
	fputs("}\n", stdout);
	fflush(stdout);
	j->depth = 0;
}

void
jo_obj(struct jout *j, const char *key)
{
	jo_sep(j, key);
	fputc('{', stdout);
	j->first = 1;
	j->depth++;
}

void
jo_close(struct jout *j)
{
	fputc('}', stdout);
	j->first = 0;
	j->depth--;
}

void
jo_str(struct jout *j, const char *key, const char *v)
{
	jo_sep(j, key);
	jo_quoted(v);
}

void
jo_u64(struct jout *j, const char *key, uint64_t v)
{
	jo_sep(j, key);
	printf("%llu", (unsigned long long)v);
}

void
jo_i64(struct jout *j, const char *key, int64_t v)
{
	jo_sep(j, key);
	printf("%lld", (long long)v);
}

void
jo_num(struct jout *j, const char *key, double v, int prec)
{
	jo_sep(j, key);
	if (v != v || v > 1e300 || v < -1e300)
		fputs("null", stdout);
	else
		printf("%.*f", prec, v);
}

void
jo_null(struct jout *j, const char *key)
{
	jo_sep(j, key);
	fputs("null", stdout);
}

void
jo_bool(struct jout *j, const char *key, int v)
{
	jo_sep(j, key);
	fputs(v ? "true" : "false", stdout);
}

void
jo_hist_us(struct jout *j, const char *key, const struct hist *h)
{
	jo_obj(j, key);
	jo_u64(j, "samples", h->n);
	if (h->n == 0) {
		jo_null(j, "p50");
		jo_null(j, "p90");
		jo_null(j, "p99");
		jo_null(j, "p999");
		jo_null(j, "max");
		jo_null(j, "mean");
	} else {
		jo_num(j, "p50", hist_quantile(h, 0.50) / 1e3, 1);
		jo_num(j, "p90", hist_quantile(h, 0.90) / 1e3, 1);
		jo_num(j, "p99", hist_quantile(h, 0.99) / 1e3, 1);
		jo_num(j, "p999", hist_quantile(h, 0.999) / 1e3, 1);
		jo_num(j, "max", h->max / 1e3, 1);
		jo_num(j, "mean", (double)h->sum / (double)h->n / 1e3, 1);
	}
	jo_close(j);
}
