function mpc = hosting_unrated
% The triangle of opf_triangle.m without any rating (RATE_A 0 everywhere): grid hosting refuses it.
mpc.version = '2';
mpc.baseMVA = 100;
%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin
mpc.bus = [
	1	3	0	0	0	0	1	1	0	345	1	1.1	0.9;
	2	2	0	0	0	0	1	1	0	345	1	1.1	0.9;
	3	1	300	0	0	0	1	1	0	345	1	1.1	0.9;
];
%	bus	Pg	Qg	Qmax	Qmin	Vg	mBase	status	Pmax	Pmin
mpc.gen = [
	1	0	0	300	-300	1	100	1	500	0;
	2	0	0	300	-300	1	100	1	500	0;
];
%	fbus	tbus	r	x	b	rateA	rateB	rateC	ratio	angle	status	angmin	angmax
mpc.branch = [
	1	2	0	0.1	0	0	0	0	0	0	1	0	0;
	1	3	0	0.1	0	0	0	0	0	0	1	-360	360;
	2	3	0	0.1	0	0	0	0	0	0	1	-360	360;
];
%	2	startup	shutdown	n	c2	c1	c0
mpc.gencost = [
	2	0	0	3	0.01	10	0;
	2	0	0	3	0.02	12	0;
];
