/*
 * completion.c: the completion ring (completion.h).
 */
#include "core/completion.h"

#include "core/variant.h"

#include <pthread.h>

static struct {
	pthread_mutex_t lock;
	pthread_cond_t space;		/* drained, a cancel, or closed */
	struct completion ring[COMPLETION_RING_SIZE];	/* lock: oldest at head */
	unsigned head, count;		/* lock */
	bool closed;			/* lock */
} done = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.space = PTHREAD_COND_INITIALIZER,
};

bool completion_post(const struct completion *c, const atomic_bool *cancel)
{
	bool posted = false;

	pthread_mutex_lock(&done.lock);
	while (done.count == COMPLETION_RING_SIZE && !done.closed && !atomic_load(cancel))
		pthread_cond_wait(&done.space, &done.lock);
	if (!done.closed && !atomic_load(cancel)) {
		done.ring[(done.head + done.count) % COMPLETION_RING_SIZE] = *c;
		done.count++;
		posted = true;
	}
	pthread_mutex_unlock(&done.lock);
	return posted;
}

void completion_drain(void)
{
	struct completion batch[COMPLETION_RING_SIZE];
	unsigned n;

	pthread_mutex_lock(&done.lock);
	n = done.count;
	for (unsigned i = 0; i < n; i++)
		batch[i] = done.ring[(done.head + i) % COMPLETION_RING_SIZE];
	done.head = 0;
	done.count = 0;
	pthread_cond_broadcast(&done.space);
	pthread_mutex_unlock(&done.lock);

	for (unsigned i = 0; i < n; i++) {
		struct session *s = server_find_session(batch[i].session_id);

		if (s)		/* NULL: the client left; drop its result */
			session_send_result(s, &batch[i].result);
	}
}

void completion_recheck_cancel(void)
{
	/* The flag was set before this lock is taken: a poster either sees
	 * it before it waits, or is waiting and gets this broadcast. */
	pthread_mutex_lock(&done.lock);
	pthread_cond_broadcast(&done.space);
	pthread_mutex_unlock(&done.lock);
}

void completion_close(void)
{
	pthread_mutex_lock(&done.lock);
	done.closed = true;
	pthread_cond_broadcast(&done.space);
	pthread_mutex_unlock(&done.lock);
}
