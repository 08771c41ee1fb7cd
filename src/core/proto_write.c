/*
 * proto_write.c: the sendlab/1 reply writers: each server -> client row of
 * the spec (result, echo, stats, error) as one JSON object, written with
 * json.h so any id or error sentence comes back as valid JSON. The fields
 * are written in the spec's order, "op" first. Any thread may call them.
 */
#include "core/proto.h"

#include "common/json.h"

#include <string.h>

size_t proto_write_result(char *buf, size_t cap, const struct proto_result *r)
{
	struct json_writer w;

	json_begin(&w, buf, cap);
	json_str(&w, "op", "result", 6);
	json_str(&w, "variant", r->variant, strlen(r->variant));
	if (r->has_id)
		json_str(&w, "id", r->id, r->id_len);
	json_int(&w, "seq", r->seq);
	json_int(&w, "items", r->items);
	json_int(&w, "work_ms", r->work_ms);
	json_int(&w, "t_recv_us", r->t_recv_us);
	json_int(&w, "t_start_us", r->t_start_us);
	json_int(&w, "t_done_us", r->t_done_us);
	json_int(&w, "t_send_us", r->t_send_us);
	json_int(&w, "cpu_us", r->cpu_us);
	json_uint(&w, "value", r->value & (uint64_t)WIRE_TIME_MAX);
	return json_end(&w);
}

size_t proto_write_echo(char *buf, size_t cap, int64_t t_us, int64_t t_server_us)
{
	struct json_writer w;

	json_begin(&w, buf, cap);
	json_str(&w, "op", "echo", 4);
	json_int(&w, "t_us", t_us);
	json_int(&w, "t_server_us", t_server_us);
	return json_end(&w);
}

size_t proto_write_stats(char *buf, size_t cap, const char *variant,
			 int64_t since_us, const struct stats_summary *lag,
			 uint64_t stalls)
{
	struct json_writer w;

	json_begin(&w, buf, cap);
	json_str(&w, "op", "stats", 5);
	json_str(&w, "variant", variant, strlen(variant));
	json_int(&w, "since_us", since_us);
	json_uint(&w, "samples", lag->n);
	json_int(&w, "lag_p50_us", lag->p50);
	json_int(&w, "lag_p99_us", lag->p99);
	json_int(&w, "lag_max_us", lag->max);
	json_uint(&w, "stalls", stalls);
	return json_end(&w);
}

size_t proto_write_error(char *buf, size_t cap, const struct proto_error *err)
{
	struct json_writer w;
	char text[320];

	proto_error_text(err, text, sizeof(text));
	json_begin(&w, buf, cap);
	json_str(&w, "op", "error", 5);
	json_str(&w, "error", text, strlen(text));
	return json_end(&w);
}
