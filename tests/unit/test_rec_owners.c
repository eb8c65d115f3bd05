// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/owners.c and record/nsnames.c: caching, budget, names, container ids. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../record/nsnames.h"
#include "../../record/owners.h"

/* A fake iterator: a fixed list of (sk, cookie, pid) holders; counts scans. */
struct fake {
	struct owners_found held[4];
	unsigned n, scans, fail;
};

static int fake_scan(void *arg, const uint64_t *keys, uint32_t n,
		     void (*found)(void *ctx, const struct owners_found *f), void *ctx)
{
	struct fake *fk = arg;

	fk->scans++;
	if (fk->fail)
		return -EPERM;
	for (unsigned i = 0; i < fk->n; i++)
		for (uint32_t k = 0; k < n; k++)
			if (fk->held[i].sk == keys[k])
				found(ctx, &fk->held[i]);
	return 0;
}

static void holder(struct fake *fk, uint64_t sk, uint64_t cookie, uint32_t pid, const char *comm,
		   uint64_t cg, const char *path)
{
	struct owners_found *f = &fk->held[fk->n++];

	memset(f, 0, sizeof(*f));
	f->sk = sk;
	f->cookie = cookie;
	f->pid = pid;
	f->netns = 4026531840u;
	f->cgroup = cg;
	snprintf(f->comm, sizeof(f->comm), "%s", comm);
	snprintf(f->cg_path, sizeof(f->cg_path), "%s", path);
}

#define MS 1000000ull

static void test_lookup_once_per_socket(void **state)
{
	struct fake fk = {0};
	struct owners *o;
	struct owners_ent *e;
	struct owners_stats st;

	(void)state;
	/* two processes hold socket 0x1000 (fork): the lower pid is the owner */
	holder(&fk, 0x1000, 77, 900, "child", 5, "/system.slice/web.service");
	holder(&fk, 0x1000, 77, 800, "nginx", 5, "/system.slice/web.service");
	o = owners_new(fake_scan, &fk);
	assert_non_null(o);
	e = owners_lookup(o, 0x1000, 0, 1000 * MS); /* first drop: no cookie yet */
	assert_non_null(e);
	assert_int_equal(e->id, 1);
	assert_int_equal(e->pid, 800);
	assert_string_equal(e->comm, "nginx");
	assert_int_equal(e->cookie, 77);
	assert_non_null(e->cg);
	assert_int_equal(e->cg->id, 5);
	assert_string_equal(e->cg->path, "/system.slice/web.service");
	assert_string_equal(e->cg->container, "");
	/* later drops carry the cookie the scan assigned: no new scan */
	for (int i = 0; i < 100; i++)
		assert_ptr_equal(owners_lookup(o, 0x1000, 77, (1001 + i) * MS), e);
	/* a drop queued before the scan (cookie 0) soon after: the same socket */
	assert_ptr_equal(owners_lookup(o, 0x1000, 0, 1050 * MS), e);
	assert_int_equal(fk.scans, 1);
	/* another socket at the same address (another cookie): scanned again, a new id */
	fk.held[0].cookie = fk.held[1].cookie = 78;
	e = owners_lookup(o, 0x1000, 78, 2000 * MS);
	assert_non_null(e);
	assert_int_equal(e->id, 2);
	assert_int_equal(fk.scans, 2);
	owners_stats(o, &st);
	assert_int_equal(st.scans, 2);
	assert_int_equal(st.found, 2);
	owners_free(o);
}

static void test_no_holder_is_remembered(void **state)
{
	struct fake fk = {0};
	struct owners *o = owners_new(fake_scan, &fk);
	struct owners_stats st;

	(void)state;
	assert_null(owners_lookup(o, 0x2000, 5, 1000 * MS));
	assert_null(owners_lookup(o, 0x2000, 5, 1100 * MS));
	assert_int_equal(fk.scans, 1); /* asked once within OWNERS_NEGATIVE_NS */
	assert_null(owners_lookup(o, 0x2000, 5, 1000 * MS + OWNERS_NEGATIVE_NS));
	assert_int_equal(fk.scans, 2);
	assert_null(owners_lookup(o, 0, 0, 5000 * MS)); /* no socket: never a scan */
	assert_int_equal(fk.scans, 2);
	owners_stats(o, &st);
	assert_int_equal(st.none, 2);
	owners_free(o);
}

static void test_budget_and_errors(void **state)
{
	struct fake fk = {0};
	struct owners *o = owners_new(fake_scan, &fk);
	struct owners_stats st;
	unsigned got = 0;

	(void)state;
	/* distinct sockets in one instant: only the burst is scanned */
	for (uint64_t sk = 1; sk <= 200; sk++) {
		holder(&fk, 0, 0, 0, "", 0, ""); /* keep n small: reuse slot 0 */
		fk.n = 1;
		fk.held[0] = (struct owners_found){.sk = sk, .cookie = sk, .pid = (uint32_t)sk};
		got += owners_lookup(o, sk, 0, 1000 * MS) != NULL;
	}
	assert_int_equal(got, OWNERS_SCANS_PER_SEC);
	owners_stats(o, &st);
	assert_int_equal(st.unresolved, 200 - OWNERS_SCANS_PER_SEC);
	/* a second later the budget is back */
	fk.held[0] = (struct owners_found){.sk = 500, .cookie = 9, .pid = 5};
	assert_non_null(owners_lookup(o, 500, 0, 2000 * MS));
	/* a failing scan: no owner, counted, asked again next time */
	fk.fail = 1;
	assert_null(owners_lookup(o, 600, 0, 3000 * MS));
	fk.fail = 0;
	fk.held[0] = (struct owners_found){.sk = 600, .cookie = 10, .pid = 6};
	assert_non_null(owners_lookup(o, 600, 0, 3001 * MS));
	owners_stats(o, &st);
	assert_int_equal(st.scan_errors, 1);
	owners_free(o);
}

static void test_container_id(void **state)
{
	static const char *const id64 =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char p[300], out[OWNERS_CONTAINER_MAX];

	(void)state;
	snprintf(p, sizeof(p), "/system.slice/docker-%s.scope", id64);
	owners_container_id(p, out, sizeof(out));
	assert_string_equal(out, id64);
	snprintf(p, sizeof(p),
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/"
		 "cri-containerd-%s.scope",
		 id64);
	owners_container_id(p, out, sizeof(out));
	assert_string_equal(out, id64);
	snprintf(p, sizeof(p), "/machine.slice/libpod-%s.scope/container", id64);
	owners_container_id(p, out, sizeof(out));
	assert_string_equal(out, id64); /* an inner component without an id is passed over */
	snprintf(p, sizeof(p), "/docker/%s", id64);
	owners_container_id(p, out, sizeof(out));
	assert_string_equal(out, id64);
	owners_container_id("/user.slice/user-1000.slice/session-3.scope", out, sizeof(out));
	assert_string_equal(out, "");
	owners_container_id("/system.slice/docker-xyz.scope", out, sizeof(out));
	assert_string_equal(out, "");
	owners_container_id("/", out, sizeof(out));
	assert_string_equal(out, "");
	owners_container_id("", out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_nsnames(void **state)
{
	char dir[] = "/tmp/tcpdrop-nsnames.XXXXXX", path[64];
	struct nsnames *n;
	struct nsnames_ent *e;
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/blue", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	n = nsnames_open(dir);
	assert_non_null(n);
	assert_true(nsnames_has_dir(n));
	assert_int_equal(nsnames_count(n), 1);
	e = nsnames_get(n, (uint32_t)st.st_ino, 0);
	assert_non_null(e);
	assert_string_equal(e->name, "blue");
	/* a container name does not replace what the directory says */
	assert_ptr_equal(nsnames_set(n, (uint32_t)st.st_ino, "container:abc"), e);
	assert_string_equal(e->name, "blue");
	/* a name added later is found by the rescan an unknown inode triggers */
	snprintf(path, sizeof(path), "%s/red", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	e = nsnames_get(n, (uint32_t)st.st_ino, 2 * NSNAMES_RESCAN_NS);
	assert_non_null(e);
	assert_string_equal(e->name, "red");
	/* unknown inodes rescan at most once a second */
	assert_null(nsnames_get(n, 12345, 2 * NSNAMES_RESCAN_NS + 1));
	e = nsnames_set(n, 12345, "container:0123456789ab");
	assert_non_null(e);
	assert_ptr_equal(nsnames_get(n, 12345, 0), e);
	nsnames_free(n);
	unlink(path);
	snprintf(path, sizeof(path), "%s/blue", dir);
	unlink(path);
	rmdir(dir);
	/* no directory: names only from nsnames_set */
	n = nsnames_open("/nonexistent/netns");
	assert_non_null(n);
	assert_false(nsnames_has_dir(n));
	assert_null(nsnames_get(n, 7, 0));
	nsnames_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup_once_per_socket),
	    cmocka_unit_test(test_no_holder_is_remembered),
	    cmocka_unit_test(test_budget_and_errors),
	    cmocka_unit_test(test_container_id),
	    cmocka_unit_test(test_nsnames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
