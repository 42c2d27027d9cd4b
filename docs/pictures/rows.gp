# The picture 'rows', drawn by tapegrad from its own numbers (tapegrad graph rows).
# tapegrad sets outfile (and outtext) to temporary files and puts them in
# place once they are whole; run by hand, the script draws the files below.
if (!exists("outfile")) outfile = 'docs/pictures/rows.png'
set terminal pngcairo noenhanced size 1400,360 font ',10'
set output outfile
set title 'What the LSTM reads: image rows as time steps, (13, 416) = (13, 13 x 32), for one test image (disk)'
set palette gray negative
set cbrange [0:0.4764]
set xlabel 'feature w C + c, C = 32: the channels of pooled column w (red lines between columns)'
set ylabel 'time step t = image row'
set ytics 1
set xtics out nomirror ('w = 0' 15.5, 'w = 1' 47.5, 'w = 2' 79.5, 'w = 3' 111.5, 'w = 4' 143.5, 'w = 5' 175.5, 'w = 6' 207.5, 'w = 7' 239.5, 'w = 8' 271.5, 'w = 9' 303.5, 'w = 10' 335.5, 'w = 11' 367.5, 'w = 12' 399.5)
set arrow from 31.5, graph 0 to 31.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 63.5, graph 0 to 63.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 95.5, graph 0 to 95.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 127.5, graph 0 to 127.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 159.5, graph 0 to 159.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 191.5, graph 0 to 191.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 223.5, graph 0 to 223.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 255.5, graph 0 to 255.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 287.5, graph 0 to 287.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 319.5, graph 0 to 319.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 351.5, graph 0 to 351.5, graph 1 nohead front lc rgb '#cc3333'
set arrow from 383.5, graph 0 to 383.5, graph 1 nohead front lc rgb '#cc3333'
set xrange [-0.5:415.5]
set yrange [12.5:-0.5]
plot 'docs/pictures/rows.dat' matrix with image notitle
