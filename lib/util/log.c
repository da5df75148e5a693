/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include "log.h"

RTE_LOG_REGISTER(sw_logtype, user.sw.app, INFO);
RTE_LOG_REGISTER(sw_drop_logtype, user.sw.drop, NOTICE);
