function mpc = bad_gencost_ncost
% Malformed-case corpus: NCOST larger than the row
mpc.version = '2';
mpc.baseMVA = 100;

%% bus data
%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin
mpc.bus = [
	1	3	0	0	0	0	1	1	0	345	1	1.1	0.9;
	2	2	0	0	0	0	1	1	0	345	1	1.1	0.9;
	3	1	90	30	0	0	1	1	0	345	1	1.1	0.9;
];

%% generator data
%	bus	Pg	Qg	Qmax	Qmin	Vg	mBase	status	Pmax	Pmin
mpc.gen = [
	1	72.3	27.03	300	-300	1.04	100	1	250	10;
	2	163	6.54	300	-300	1.025	100	1	300	10;
];

%% branch data
%	fbus	tbus	r	x	b	rateA	rateB	rateC	ratio	angle	status	angmin	angmax
mpc.branch = [
	1	2	0	0.0576	0	250	250	250	0	0	1	-360	360;
	2	3	0.017	0.092	0.158	250	250	250	0	0	1	-360	360;
	3	1	0.039	0.17	0.358	150	150	150	0	0	1	-360	360;
];

%% generator cost data
%	1	startup	shutdown	n	x1	y1	...
%	2	startup	shutdown	n	c(n-1)	...	c0
mpc.gencost = [
	2	0	0	3	0.11	5	150;
	2	0	0	4	0.085	1.2	600;
];
