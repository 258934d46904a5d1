/* sim_server: the HTTP(S) front of the simulator (libmicrohttpd): request pipeline (auth, CSRF,
 * schema validation, permissions, fault injection, routing) and the /__sim endpoints. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include "pve_sim.h"

#endif
