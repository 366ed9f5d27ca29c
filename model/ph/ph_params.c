/* The model's parameters: the defaults, plain pH, and their checks. Plain,
 * bounded C that the BPF program #includes after ph_model.c (bpf/ph_step.h),
 * as ph_model.c. */
#include "ph_model.h"

#ifndef PH_EINVAL
#define PH_EINVAL 22 /* Linux's, spelled out: the BPF side has no errno.h */
#endif

PH_FN void ph_params_default(struct ph_params *p)
{
	p->model = PH_MODEL_FALLBACK;
	p->window = PH_FALLBACK_WINDOW;
	p->ngram = PH_NGRAM_DEFAULT;
	p->frame = PH_LFC_BITS;
	p->anomaly_limit = PH_ANOMALY_LIMIT;
	p->tolerize_limit = PH_TOLERIZE_LIMIT;
	p->normal_factor = PH_NORMAL_FACTOR;
	p->normal_factor_den = PH_NORMAL_FACTOR_DEN;
	p->learn = 1;
	p->score = PH_SCORE_RATE;
	p->episode_lfc = PH_FALLBACK_EPISODE_LFC;
	p->known_lfc = PH_FALLBACK_KNOWN_LFC;
	p->min_train = PH_MIN_TRAIN_DEFAULT;
	p->normal_wait = 0;
	__builtin_memset(p->ignore, 0, sizeof(p->ignore));
	__builtin_memset(p->data_io, 0, sizeof(p->data_io));
}

PH_FN void ph_params_plain(struct ph_params *p)
{
	ph_params_default(p);
	p->model = PH_MODEL_PAIRS;
	p->window = PH_WINDOW_DEFAULT;
	p->score = PH_SCORE_LFC;
	p->episode_lfc = PH_WINDOW_DEFAULT; /* as the default: the window */
	p->known_lfc = 2 * PH_WINDOW_DEFAULT + 1;
}

PH_FN __u32 ph_episode_lfc(const struct ph_params *p)
{
	return p->episode_lfc ? p->episode_lfc : 1;
}

PH_FN __u32 ph_known_lfc(const struct ph_params *p)
{
	__u32 e = ph_episode_lfc(p);

	return p->known_lfc > e ? p->known_lfc : e;
}

PH_FN int ph_params_check(const struct ph_params *p)
{
	if ((p->model < PH_MODEL_PAIRS || p->model > PH_MODEL_BOTH) &&
	    p->model != PH_MODEL_FALLBACK)
		return -PH_EINVAL;
	if (p->window < 2 || p->window > PH_WINDOW_MAX)
		return -PH_EINVAL;
	if (p->ngram < 2 || p->ngram > PH_WINDOW_MAX)
		return -PH_EINVAL;
	if (p->frame < 1 || p->frame > PH_LFC_BITS)
		return -PH_EINVAL;
	if (p->score < PH_SCORE_LFC || p->score > PH_SCORE_RATE)
		return -PH_EINVAL;
	if (p->normal_factor == 0 || p->normal_factor_den == 0)
		return -PH_EINVAL;
	if (p->episode_lfc > p->frame || p->known_lfc > p->frame)
		return -PH_EINVAL; /* the LFC could never reach it */
	return 0;
}
