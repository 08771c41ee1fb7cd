/*
 * sendq.c: the bounded FIFO declared in sendq.h (a ring buffer).
 */
#include "core/sendq.h"

bool sendq_push(struct sendq *q, const struct sendq_msg *m)
{
	if (q->len == SENDQ_CAPACITY)
		return false;
	q->msgs[(q->head + q->len) % SENDQ_CAPACITY] = *m;
	q->len++;
	return true;
}

const struct sendq_msg *sendq_peek(const struct sendq *q)
{
	return q->len ? &q->msgs[q->head] : NULL;
}

bool sendq_pop(struct sendq *q, struct sendq_msg *out)
{
	if (q->len == 0)
		return false;
	*out = q->msgs[q->head];
	q->head = (q->head + 1) % SENDQ_CAPACITY;
	q->len--;
	return true;
}
