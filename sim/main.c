/* pve-sim: the simulated Proxmox VE 8.4 cluster as a standalone program.
 * All the work is in the pvesim library; see sim/README.md. */
#include "pve_sim.h"

int main(int c, char **v)
{
    return pve_sim_main(c, v);
}
