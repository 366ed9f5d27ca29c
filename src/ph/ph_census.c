/* pH's map sizes, counted away from the event loop: see ph_census.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ph/ph_census.h"
#include "util/map_walk.h"
#include "util/macros.h"

struct vg_ph_census {
	struct vg_ph_census_map maps[2]; /* profiles, items; our own descriptors */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a count is asked for, or the thread must stop */
	pthread_cond_t done; /* a count completed */
	bool wanted, stop;
	bool counting;	     /* a count is under way */
	uint64_t generation; /* completed counts */
	uint64_t counts[2];
};

static int count_entry(const void *key, const void *value, void *ctx)
{
	(void)key;
	(void)value;
	++*(uint64_t *)ctx;
	return 0;
}

static void *census_thread(void *arg)
{
	struct vg_ph_census *c = arg;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		uint64_t counts[2] = { 0, 0 };

		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		c->wanted = false;
		c->counting = true;
		pthread_mutex_unlock(&c->lock);
		for (int i = 0; i < 2; i++)
			vg_map_walk(c->maps[i].fd, c->maps[i].key_size, c->maps[i].value_size, 0,
				    count_entry, &counts[i]);
		pthread_mutex_lock(&c->lock);
		c->counts[0] = counts[0];
		c->counts[1] = counts[1];
		c->generation++;
		c->counting = false;
		pthread_cond_broadcast(&c->done);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int vg_ph_census_start(struct vg_ph_census **out, const struct vg_ph_census_map *profiles,
		       const struct vg_ph_census_map *items)
{
	struct vg_ph_census *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->maps[0] = *profiles;
	c->maps[1] = *items;
	c->maps[0].fd = dup(profiles->fd);
	c->maps[1].fd = dup(items->fd);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->done, NULL);
	if (c->maps[0].fd < 0 || c->maps[1].fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = -pthread_create(&c->thread, NULL, census_thread, c);
	if (ret)
		goto fail;
	*out = c;
	return 0;
fail:
	if (c->maps[0].fd >= 0)
		close(c->maps[0].fd);
	if (c->maps[1].fd >= 0)
		close(c->maps[1].fd);
	pthread_cond_destroy(&c->done);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return ret;
}

void vg_ph_census_read(struct vg_ph_census *c, uint64_t *profiles, uint64_t *items)
{
	struct timespec until;
	uint64_t target;

	*profiles = *items = 0;
	if (!c)
		return;
	clock_gettime(CLOCK_REALTIME, &until); /* the condition variable's clock */
	until.tv_nsec += VG_PH_CENSUS_WAIT_MS * 1000000l;
	if (until.tv_nsec >= NSEC_PER_SEC) {
		until.tv_sec++;
		until.tv_nsec -= NSEC_PER_SEC;
	}
	pthread_mutex_lock(&c->lock);
	/* a count under way started before the caller asked: the one that
	 * answers is the next */
	target = c->generation + (c->counting ? 2 : 1);
	c->wanted = true;
	pthread_cond_signal(&c->wake);
	while (c->generation < target && pthread_cond_timedwait(&c->done, &c->lock, &until) == 0)
		;
	*profiles = c->counts[0];
	*items = c->counts[1];
	pthread_mutex_unlock(&c->lock);
}

void vg_ph_census_stop(struct vg_ph_census *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	close(c->maps[0].fd);
	close(c->maps[1].fd);
	pthread_cond_destroy(&c->done);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
