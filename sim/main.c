/* main: the pve-sim executable, a simulated Proxmox VE 8.4 cluster on 127.0.0.1.
 * All logic lives in the pvesim library; see pve_sim_main in sim_cli.c. */
#include "pve_sim.h"

int main(int argc, char **argv)
{
    return pve_sim_main(argc, argv);
}
